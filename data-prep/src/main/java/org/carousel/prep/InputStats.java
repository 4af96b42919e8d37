package org.carousel.prep;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;

/** Input problems counted by the readers on the executors (accumulators reach the driver). */
final class InputStats implements DocumentReader.Stats {
    final LongAccumulator binarySkipped, invalidReplaced, invalidSkipped, emptyFiles, documentsCut, unlabelled;
    final CollectionAccumulator<String> skippedFiles;

    InputStats(JavaSparkContext sc) {
        binarySkipped = sc.sc().longAccumulator("binary files skipped");
        invalidReplaced = sc.sc().longAccumulator("invalid UTF-8 records replaced");
        invalidSkipped = sc.sc().longAccumulator("invalid UTF-8 records skipped");
        emptyFiles = sc.sc().longAccumulator("empty files");
        documentsCut = sc.sc().longAccumulator("documents cut at prep.max_document_bytes");
        unlabelled = sc.sc().longAccumulator("records without a label skipped");
        skippedFiles = sc.sc().collectionAccumulator("skipped files");
    }

    @Override
    public void binaryFileSkipped(String file, long offset) {
        binarySkipped.add(1);
        skippedFiles.add(file + " (NUL byte at offset " + offset + ")");
    }

    @Override
    public void invalidUtf8(String file, long offset, boolean skipped) {
        (skipped ? invalidSkipped : invalidReplaced).add(1);
    }

    @Override
    public void emptyFile(String file) {
        emptyFiles.add(1);
    }

    @Override
    public void documentCut(String file) {
        documentsCut.add(1);
    }

    @Override
    public void unlabelledRecord() {
        unlabelled.add(1);
    }

    List<String> firstSkipped() {
        List<String> all = new ArrayList<>(skippedFiles.value());
        java.util.Collections.sort(all);
        return all.subList(0, Math.min(100, all.size()));
    }

    void warn(Logger log) {
        for (String f : firstSkipped()) log.warn("prep: skipped binary file {}", f);
        if (binarySkipped.value() > 100) log.warn("prep: ... {} binary files skipped in all", binarySkipped.value());
        if (invalidReplaced.value() > 0) log.warn("prep: {} record(s) with invalid UTF-8 decoded with U+FFFD", invalidReplaced.value());
        if (invalidSkipped.value() > 0) log.warn("prep: {} record(s) with invalid UTF-8 skipped", invalidSkipped.value());
        if (documentsCut.value() > 0) log.warn("prep: {} cut(s) of documents longer than prep.max_document_bytes", documentsCut.value());
        if (unlabelled.value() > 0) log.warn("prep: {} record(s) without a TAB-separated label (or source and target) skipped", unlabelled.value());
    }
}
