package io.qreg.numeric;

/**
 * IEEE 754 binary16 conversions ({@code Float.floatToFloat16} only arrives in Java 20).
 *
 * <p>{@link #toHalf(float)} rounds to nearest, ties to even, like a hardware conversion: values beyond
 * the largest half (65504) round to infinity once they reach the midpoint 65520, tiny values become
 * subnormals or signed zero, and NaN stays NaN. Every half survives {@code toHalf(toFloat(h)) == h},
 * NaN payloads included.
 */
public final class Float16 {

    /** The largest finite half, 65504. */
    public static final float MAX_VALUE = 65504f;

    private static final int FLOAT_INFINITY = 0x7F80_0000;
    /** 65520 = halfway between 65504 and 65536; ties-to-even rounds it up, so it and above overflow. */
    private static final int FLOAT_OVERFLOW = 0x477F_F000;
    /** 2^-14, the smallest normal half. */
    private static final int FLOAT_MIN_NORMAL_HALF = 0x3880_0000;

    private Float16() {
    }

    public static short toHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7FFF_FFFF;
        if (abs >= FLOAT_INFINITY) {
            if (abs == FLOAT_INFINITY) {
                return (short) (sign | 0x7C00);
            }
            // Keep the top payload bits so halves round-trip; a payload only in the low bits would
            // vanish and turn NaN into infinity, so fall back to the quiet bit.
            int payload = (abs >>> 13) & 0x3FF;
            return (short) (sign | 0x7C00 | (payload == 0 ? 0x200 : payload));
        }
        if (abs >= FLOAT_OVERFLOW) {
            return (short) (sign | 0x7C00);
        }
        if (abs >= FLOAT_MIN_NORMAL_HALF) {
            int half = ((abs >>> 23) - 112) << 10 | (abs & 0x7F_FFFF) >>> 13; // rebias 127 -> 15
            int rest = abs & 0x1FFF;
            if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
                half++; // a carry out of the mantissa correctly bumps the exponent
            }
            return (short) (sign | half);
        }
        int exponent = abs >>> 23;
        if (exponent < 102) {
            return (short) sign; // below 2^-25, half of the smallest subnormal: rounds to zero
        }
        // Subnormal half: count units of 2^-24. The float is m * 2^(e-150), m with its implicit bit.
        int mantissa = (abs & 0x7F_FFFF) | 0x80_0000;
        int shift = 126 - exponent;
        int half = mantissa >>> shift;
        int rest = mantissa & ((1 << shift) - 1);
        int midpoint = 1 << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1) != 0)) {
            half++; // rounding up from the largest subnormal lands exactly on the smallest normal
        }
        return (short) (sign | half);
    }

    public static float toFloat(short half) {
        int bits = half & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | FLOAT_INFINITY | (mantissa << 13));
        }
        if (exponent == 0) {
            float subnormal = mantissa * 0x1p-24f; // exact: at most 10 significant bits
            return sign == 0 ? subnormal : -subnormal;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
