package org.carousel.text;

import java.text.Normalizer;

/** Unicode normalisation applied to text before char and word tokenization. */
public enum Normalization {
    NONE, NFC;

    public String apply(String text) {
        if (this == NONE || Normalizer.isNormalized(text, Normalizer.Form.NFC)) return text;
        return Normalizer.normalize(text, Normalizer.Form.NFC);
    }

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Normalization of(String key) {
        return valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }
}
