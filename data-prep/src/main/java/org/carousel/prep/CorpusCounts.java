package org.carousel.prep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.carousel.BadInputException;
import org.carousel.data.Manifest;
import org.carousel.data.Split;
import org.carousel.text.CharVocabulary;
import org.carousel.text.Normalization;
import org.carousel.text.Tokenizer;
import org.carousel.text.Utf8;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The counts prep takes over the documents: code points, documents and encoded ids per split, labels. */
final class CorpusCounts {
    private CorpusCounts() {}

    /**
     * Counts per (split, code point), the newline after each document included; (split, -1)
     * counts documents. BMP code points are counted in a primitive array per split (no boxing
     * per character); only supplementary ones go through a map.
     */
    static Iterator<Map<Long, Long>> countCodePoints(Iterator<CorpusDocument> it) {
        int splits = Split.values().length;
        long[][] bmp = new long[splits][0x10000];
        long[] docs = new long[splits];
        Map<Long, Long> m = new HashMap<>();
        while (it.hasNext()) {
            CorpusDocument d = it.next();
            int split = d.split().ordinal();
            long[] c = bmp[split];
            byte[] t = d.utf8();
            int n = t.length;
            for (int i = 0; i < n; ) {
                byte b = t[i];
                if (b >= 0) {
                    c[b]++;
                    i++;
                    continue;
                }
                int cp = Utf8.codePointAt(t, i);
                i += Utf8.sequenceLength(b);
                if (cp < 0x10000) c[cp]++;
                else m.merge(((long) split << 32) | cp, 1L, Long::sum);
            }
            c['\n']++;
            docs[split]++;
        }
        for (int split = 0; split < splits; split++) {
            long base = (long) split << 32;
            for (int cp = 0; cp < 0x10000; cp++) if (bmp[split][cp] != 0) m.merge(base | cp, bmp[split][cp], Long::sum);
            if (docs[split] != 0) m.put(base | 0xFFFFFFFFL, docs[split]);
        }
        return List.of(m).iterator();
    }

    static Map<Long, Long> merge(Map<Long, Long> a, Map<Long, Long> b) {
        Map<Long, Long> big = a.size() >= b.size() ? a : b;
        Map<Long, Long> small = big == a ? b : a;
        small.forEach((k, v) -> big.merge(k, v, Long::sum));
        return big;
    }

    static final int MAX_LABELS = 100_000;

    /** Label → id, most frequent first (ties by name); only the distinct labels reach the driver. */
    static Map<String, Integer> labelVocabulary(JavaRDD<CorpusDocument> docs, String input) {
        List<Tuple2<String, Long>> counted = docs.mapToPair(d -> new Tuple2<>(d.label(), 1L)).reduceByKey(Long::sum).take(MAX_LABELS + 1);
        if (counted.size() > MAX_LABELS)
            throw new BadInputException(input + ": more than " + MAX_LABELS + " distinct labels under prep.records.label = tab-first; is the first column a label?");
        List<Tuple2<String, Long>> sorted = new ArrayList<>(counted);
        sorted.sort((a, b) -> a._2().equals(b._2()) ? a._1().compareTo(b._1()) : Long.compare(b._2(), a._2()));
        Map<String, Integer> ids = new java.util.LinkedHashMap<>();
        for (Tuple2<String, Long> t : sorted) ids.put(t._1(), ids.size());
        return ids;
    }

    static String labelsJson(Map<String, Integer> labels) {
        ObjectNode o = Manifest.json().createObjectNode();
        o.put("kind", "carousel.labels");
        o.putArray("labels").addAll(labels.keySet().stream().map(l -> (com.fasterxml.jackson.databind.JsonNode) Manifest.json().getNodeFactory().textNode(l)).toList());
        return Manifest.render(o);
    }

    /** The normalisation documents get before counting and encoding: the reused tokenizer's, or the configured one. */
    static Normalization normalizationOf(Tokenizer reuse, TokenizerSpec spec) {
        if (reuse instanceof CharVocabulary) return ((CharVocabulary) reuse).normalization();
        if (reuse instanceof org.carousel.text.WordTokenizer) return ((org.carousel.text.WordTokenizer) reuse).settings().normalization();
        if (reuse != null) return Normalization.NONE;
        return spec.kind().equals("bpe") ? Normalization.NONE : spec.normalization();
    }

    /** Fits the configured tokenizer on the training split. */
    static Tokenizer fit(String kind, TokenizerSpec t, Map<Integer, Long> trainCodePoints, JavaRDD<CorpusDocument> docs) {
        switch (kind) {
            case "char":
                return CharVocabulary.fromCounts(trainCodePoints, t.charMaxSize(), t.charMinCount(), t.normalization());
            case "word":
                return TokenizerFitting.word(docs.filter(d -> d.split() == Split.TRAIN).map(CorpusDocument::utf8), t);
            case "bpe":
                return TokenizerFitting.bpe(docs.filter(d -> d.split() == Split.TRAIN).map(CorpusDocument::utf8), t);
            default:
                throw new IllegalStateException(kind);
        }
    }

    /** Fits the configured tokenizer on the training split of {@code docs} alone (one side of pairs), code points counted here for char. */
    static Tokenizer fitOn(String kind, TokenizerSpec t, JavaRDD<CorpusDocument> docs) {
        Map<Integer, Long> train = new HashMap<>();
        if (kind.equals(CharVocabulary.KIND))
            docs.filter(d -> d.split() == Split.TRAIN).mapPartitions(CorpusCounts::countCodePoints).reduce(CorpusCounts::merge).forEach((k, v) -> {
                int cp = (int) (long) k;
                if (cp != -1) train.merge(cp, v, Long::sum);
            });
        return fit(kind, t, train, docs);
    }

    /** The documents, passed through, counted per split into {@code sink} (per partition: a rerun task replaces its count). */
    static JavaRDD<CorpusDocument> countingDocuments(JavaRDD<CorpusDocument> docs, StreamShards.PartitionStats sink) {
        return docs.mapPartitionsWithIndex((partition, it) -> new Iterator<CorpusDocument>() {
            private final long[] n = new long[Split.values().length];
            private boolean reported;

            @Override
            public boolean hasNext() {
                boolean more = it.hasNext();
                if (!more && !reported) {
                    reported = true;
                    sink.add(new Tuple2<>(partition, n));
                }
                return more;
            }

            @Override
            public CorpusDocument next() {
                CorpusDocument d = it.next();
                n[d.split().ordinal()]++;
                return d;
            }
        }, true);
    }

    /** Documents per split from {@link #countingDocuments}, as the marker entries of {@link #countCodePoints}. */
    static Map<Long, Long> documentCounts(Map<Integer, long[]> perPartition) {
        Map<Long, Long> out = new HashMap<>();
        for (long[] n : perPartition.values())
            for (int split = 0; split < n.length; split++) if (n[split] > 0) out.merge(((long) split << 32) | 0xFFFFFFFFL, n[split], Long::sum);
        return out;
    }

    /** Documents per split, as the marker entries of {@link #countCodePoints}. */
    static Map<Long, Long> documentCounts(JavaRDD<CorpusDocument> docs) {
        Map<Long, Long> out = new HashMap<>();
        docs.map(d -> d.split().ordinal()).countByValue()
                .forEach((split, n) -> out.put(((long) split << 32) | 0xFFFFFFFFL, n));
        return out;
    }

    /** Id counts per split from encoding every document and its separator (word and bpe). */
    static List<Map<Integer, Long>> encodedIdCounts(JavaRDD<CorpusDocument> docs, Broadcast<Tokenizer> tokenizer) {
        long[][] c = docs.mapPartitions(it -> {
            Tokenizer t = tokenizer.value();
            long[][] m = new long[Split.values().length][t.size()];
            int sep = t.separatorId();
            while (it.hasNext()) {
                CorpusDocument d = it.next();
                long[] row = m[d.split().ordinal()];
                for (int id : t.encodeWellFormed(d.utf8())) row[id]++;
                row[sep]++;
            }
            return java.util.Collections.singletonList(m).iterator();
        }).reduce((a, b) -> {
            for (int s = 0; s < a.length; s++) for (int i = 0; i < a[s].length; i++) a[s][i] += b[s][i];
            return a;
        });
        return sparse(c);
    }

    /** Per split, the ids with a non-zero count in {@code counts[split][id]}, and their counts. */
    static List<Map<Integer, Long>> sparse(long[][] counts) {
        List<Map<Integer, Long>> out = new ArrayList<>();
        for (long[] row : counts) {
            Map<Integer, Long> m = new HashMap<>();
            for (int i = 0; i < row.length; i++) if (row[i] > 0) m.put(i, row[i]);
            out.add(m);
        }
        return out;
    }

    /** Code point counts mapped through the vocabulary (rare code points pooled under <unk>). */
    static Map<Integer, Long> idCounts(Map<Integer, Long> cpCounts, CharVocabulary vocab, long documents) {
        Map<Integer, Long> out = new HashMap<>();
        cpCounts.forEach((cp, n) -> out.merge(vocab.id(cp), n, Long::sum));
        return out;
    }

}
