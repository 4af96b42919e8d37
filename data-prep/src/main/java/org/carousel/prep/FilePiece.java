package org.carousel.prep;

import java.util.ArrayList;
import java.util.List;

/** Bytes [start, end) of a corpus file, read by one task. */
final class FilePiece implements java.io.Serializable {
    final String file;
    final long start, end;

    FilePiece(String file, long start, long end) {
        this.file = file;
        this.start = start;
        this.end = end;
    }

    /** Every file whole, or, when {@code splittable} and taskBytes > 0, plain files in pieces of about taskBytes. */
    static List<FilePiece> of(CorpusFiles.Listing listing, long taskBytes, boolean splittable) {
        List<FilePiece> out = new ArrayList<>();
        for (int i = 0; i < listing.files().size(); i++) {
            String f = listing.files().get(i);
            long n = listing.sizes().get(i);
            if (!splittable || taskBytes <= 0 || n <= taskBytes || f.endsWith(".gz")) {
                out.add(new FilePiece(f, 0, Long.MAX_VALUE));
                continue;
            }
            long pieces = (n + taskBytes - 1) / taskBytes;
            for (long k = 0; k < pieces; k++)
                out.add(new FilePiece(f, n / pieces * k, k == pieces - 1 ? Long.MAX_VALUE : n / pieces * (k + 1)));
        }
        return out;
    }
}

