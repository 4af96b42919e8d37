package org.carousel.data;

/**
 * Packs token ids into the bytes stored in a shard: 2 bytes per token (unsigned, little-endian)
 * when the vocabulary has at most 65,536 ids, 4 bytes otherwise. A dense one-hot row for a
 * 100-symbol vocabulary would cost 400 bytes per token; this costs 2 before compression.
 */
public final class TokenCodec {
    private TokenCodec() {}

    public static int bytesPerToken(int vocabSize) {
        return vocabSize <= 65536 ? 2 : 4;
    }

    public static byte[] pack(int[] ids, int from, int to, int bytesPerToken) {
        byte[] out = new byte[(to - from) * bytesPerToken];
        int o = 0;
        for (int i = from; i < to; i++) {
            int v = ids[i];
            out[o++] = (byte) v;
            out[o++] = (byte) (v >>> 8);
            if (bytesPerToken == 4) {
                out[o++] = (byte) (v >>> 16);
                out[o++] = (byte) (v >>> 24);
            }
        }
        return out;
    }

    public static int[] unpack(byte[] bytes, int bytesPerToken) {
        if (bytes.length % bytesPerToken != 0)
            throw new IllegalArgumentException("packed length " + bytes.length + " is not a multiple of " + bytesPerToken);
        int[] ids = new int[bytes.length / bytesPerToken];
        int o = 0;
        for (int i = 0; i < ids.length; i++) {
            int v = (bytes[o] & 0xFF) | ((bytes[o + 1] & 0xFF) << 8);
            if (bytesPerToken == 4) v |= ((bytes[o + 2] & 0xFF) << 16) | ((bytes[o + 3] & 0xFF) << 24);
            o += bytesPerToken;
            ids[i] = v;
        }
        return ids;
    }
}
