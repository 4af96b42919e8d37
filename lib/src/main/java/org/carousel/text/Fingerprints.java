package org.carousel.text;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of a canonical serialisation, as {@code sha256:<hex>}. */
final class Fingerprints {
    private Fingerprints() {}

    static MessageDigest sha256(String header) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(header.getBytes(StandardCharsets.UTF_8));
            return md;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void updateInt(MessageDigest md, int v) {
        md.update(new byte[]{(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
    }

    static String finish(MessageDigest md) {
        return "sha256:" + HexFormat.of().formatHex(md.digest());
    }
}
