package io.qreg.engine.tensor;

/**
 * Packs 4-bit values two per byte, element {@code 2i} in the low nibble and {@code 2i+1} in the high
 * nibble of byte {@code i}: the order of ONNX INT4/UINT4 tensors and of MatMulNBits' {@code B} blobs.
 * An odd count leaves the last high nibble zero, as ONNX requires.
 */
public final class Nibbles {

    private Nibbles() {
    }

    /** Packs values in 0..15. */
    public static byte[] packUnsigned(int[] values) {
        byte[] out = new byte[packedLength(values.length)];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < 0 || v > 15) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " is outside 0..15");
            }
            out[i >> 1] |= (byte) (v << ((i & 1) << 2));
        }
        return out;
    }

    /** Packs values in -8..7 as two's-complement nibbles. */
    public static byte[] packSigned(int[] values) {
        byte[] out = new byte[packedLength(values.length)];
        for (int i = 0; i < values.length; i++) {
            int v = values[i];
            if (v < -8 || v > 7) {
                throw new IllegalArgumentException("value " + v + " at index " + i + " is outside -8..7");
            }
            out[i >> 1] |= (byte) ((v & 0xF) << ((i & 1) << 2));
        }
        return out;
    }

    /** Element {@code index} of a packed array, as 0..15. */
    public static int unsignedAt(byte[] packed, long index) {
        int b = packed[Math.toIntExact(index >> 1)];
        return (index & 1) == 0 ? b & 0xF : (b >>> 4) & 0xF;
    }

    /** Element {@code index} of a packed array, sign-extended to -8..7. */
    public static int signedAt(byte[] packed, long index) {
        return (unsignedAt(packed, index) << 28) >> 28;
    }

    /** Bytes needed for {@code count} 4-bit elements. */
    public static int packedLength(long count) {
        return Math.toIntExact((count + 1) / 2);
    }
}
