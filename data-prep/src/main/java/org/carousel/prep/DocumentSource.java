package org.carousel.prep;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SerializableWritable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.carousel.data.Split;
import org.carousel.data.SplitAssigner;
import org.carousel.text.Normalization;
import scala.Tuple2;

import java.util.Iterator;
import java.util.List;

/**
 * The corpus as documents (split, identity, normalised UTF-8, label): one task per file, in
 * file order, documents streaming out of each file. Each call to {@link #documents} is a
 * fresh read, with its own counter of input problems.
 */
final class DocumentSource implements java.io.Serializable {
    private final List<FilePiece> files;
    private final Broadcast<SerializableWritable<Configuration>> conf;
    private final String mode;
    private final byte[] delimiter;
    private final long maxDocumentBytes;
    private final DocumentReader.Policy policy;
    private final long maxDocuments;
    private final SplitAssigner assigner;
    private final Normalization normalization;
    private final boolean labelled;
    private final boolean paired;

    DocumentSource(List<FilePiece> files, Broadcast<SerializableWritable<Configuration>> conf, String mode, byte[] delimiter,
                   long maxDocumentBytes, DocumentReader.Policy policy, long maxDocuments, SplitAssigner assigner,
                   Normalization normalization, boolean labelled, boolean paired) {
        this.files = files;
        this.conf = conf;
        this.mode = mode;
        this.delimiter = delimiter;
        this.maxDocumentBytes = maxDocumentBytes;
        this.policy = policy;
        this.maxDocuments = maxDocuments;
        this.assigner = assigner;
        this.normalization = normalization;
        this.labelled = labelled;
        this.paired = paired;
    }

    /** The documents, one task per file piece; with {@code identities} false their identity is left 0 (the counting pass needs only the split). */
    JavaRDD<CorpusDocument> documents(JavaSparkContext sc, DocumentReader.Stats stats, boolean identities) {
        Broadcast<SerializableWritable<Configuration>> conf = this.conf;
        String mode = this.mode;
        byte[] delimiter = this.delimiter;
        long maxDocumentBytes = this.maxDocumentBytes;
        DocumentReader.Policy policy = this.policy;
        SplitAssigner assigner = this.assigner;
        Normalization normalization = this.normalization;
        // Documents stay UTF-8 bytes from the reader to the shards (no String unless normalising or labelled).
        // A document cut at prep.max_document_bytes stays whole in its split: every later piece takes the first
        // piece's split, and an identity one above the piece before it, so the pieces sit together, in order, in
        // one stream (stream placement ignores the low CorpusDocument.PIECE_BITS of an identity).
        JavaRDD<Tuple2<byte[], long[]>> pieces = sc.parallelize(files, Math.max(1, files.size()))
                .flatMap(f -> {
                    java.util.Iterator<byte[]> it = DocumentReader.openUtf8(f.file, f.start, f.end, conf.value().value(), mode, delimiter, maxDocumentBytes, policy, stats);
                    return new java.util.Iterator<Tuple2<byte[], long[]>>() {
                        long identity;
                        int split;
                        long piece;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Tuple2<byte[], long[]> next() {
                            byte[] utf8 = it.next();
                            if (DocumentReader.continuesPrevious(it)) {
                                piece = Math.min(piece + 1, CorpusDocument.PIECE_MASK);
                            } else {
                                SplitAssigner.Placement at = identities ? assigner.place(utf8) : new SplitAssigner.Placement(0, assigner.assign(utf8));
                                identity = at.identity() & ~CorpusDocument.PIECE_MASK;
                                split = at.split().ordinal();
                                piece = 0;
                            }
                            return new Tuple2<>(utf8, new long[]{identity | piece, split});
                        }
                    };
                });
        if (maxDocuments > 0) {
            long max = maxDocuments;
            pieces = pieces.zipWithIndex().filter(t -> t._2() < max).map(Tuple2::_1);
        }
        JavaRDD<byte[]> texts = pieces.map(Tuple2::_1);
        if (paired) {
            // source TAB target: the document becomes "source \n target" (both sides fitted and counted as text; the
            // newline, which cannot occur in a line, marks the boundary); a record without both sides is skipped.
            return texts.flatMap(utf8 -> {
                String t = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
                int tab = t.indexOf('\t');
                String src = tab < 0 ? "" : t.substring(0, tab).replace('\n', ' ').strip();
                String tgt = tab < 0 ? "" : t.substring(tab + 1).replace('\n', ' ').strip();
                if (src.isEmpty() || tgt.isEmpty()) {
                    stats.unlabelledRecord();
                    return java.util.Collections.emptyIterator();
                }
                return List.of(new CorpusDocument(assigner.identity(t), assigner.assign(t),
                        normalization.apply(src) + "\n" + normalization.apply(tgt), null)).iterator();
            });
        }
        if (labelled) {
            // tab-first: the label is the text before the first TAB; records without one are skipped and counted.
            return texts.flatMap(utf8 -> {
                String t = new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
                int tab = t.indexOf('\t');
                String body = tab < 0 ? "" : t.substring(tab + 1);
                if (tab < 0 || body.isBlank()) {
                    stats.unlabelledRecord();
                    return java.util.Collections.emptyIterator();
                }
                return List.of(new CorpusDocument(assigner.identity(t), assigner.assign(t), normalization.apply(body), t.substring(0, tab).trim())).iterator();
            });
        }
        return pieces.map(p -> {
            byte[] utf8 = p._1();
            byte[] text = normalization == Normalization.NONE ? utf8
                    : normalization.apply(new String(utf8, java.nio.charset.StandardCharsets.UTF_8)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return new CorpusDocument(p._2()[0], Split.values()[(int) p._2()[1]], text, null);
        });
    }
}
