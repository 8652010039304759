package io.qreg.engine.eval;

/**
 * IEEE 754 binary16 conversions, needed because fp16 variants take and return float16 tensors while datasets
 * are float32 ({@code Float.float16ToFloat} only arrives in Java 20).
 */
final class Half {

    private Half() {
    }

    static float toFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F80_0000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f;
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Rounds to nearest, ties to even, as numpy's {@code astype(np.float16)} does; overflow gives infinity. */
    static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int magnitude = bits & 0x7FFF_FFFF;
        if (magnitude >= 0x7F80_0000) {
            return (short) (sign | 0x7C00 | (magnitude > 0x7F80_0000 ? 0x200 : 0)); // infinity, or a quiet NaN
        }
        if (magnitude >= 0x477F_F000) {
            return (short) (sign | 0x7C00); // 65520 and above round past the largest half, 65504
        }
        if (magnitude < 0x3880_0000) { // below 2^-14: a half subnormal or zero
            if (magnitude <= 0x3300_0000) {
                return (short) sign; // at most 2^-25, which ties to the even zero
            }
            int exponent = magnitude >>> 23;
            int mantissa = (magnitude & 0x7F_FFFF) | 0x80_0000;
            int shift = 126 - exponent;
            return (short) (sign | roundShift(mantissa, shift));
        }
        int rebased = ((magnitude >>> 23) - 112) << 10 | (magnitude & 0x7F_FFFF) >>> 13;
        int remainder = magnitude & 0x1FFF;
        if (remainder > 0x1000 || (remainder == 0x1000 && (rebased & 1) == 1)) {
            rebased++; // a carry into the exponent is still the right rounded value
        }
        return (short) (sign | rebased);
    }

    private static int roundShift(int value, int shift) {
        int kept = value >>> shift;
        int remainder = value & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (remainder > halfway || (remainder == halfway && (kept & 1) == 1)) {
            kept++;
        }
        return kept;
    }
}
