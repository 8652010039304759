package io.qreg.engine.quant.dynamic;

/**
 * A [K, N] float weight quantized to int8, {@code w ≈ scale[c] · (q − zeroPoint[c])} for column c (one
 * scale for all columns when per-tensor).
 *
 * <p>Symmetric uses the restricted range [-127, 127] with zero point 0, as ONNX Runtime's own quantizer
 * does, so negating a weight negates its code exactly. Asymmetric spans [min(w, 0), max(w, 0)] over
 * [-128, 127]: zero stays exactly representable, which keeps padding and ReLU zeros exact.
 *
 * @param values codes in row-major [K, N] order
 * @param scales length N when per-channel, else 1
 * @param zeroPoints same length as scales
 */
public record Int8Weights(byte[] values, float[] scales, byte[] zeroPoints) {

    public boolean perChannel() {
        return scales.length > 1;
    }

    public static Int8Weights quantize(float[] weight, int k, int n, boolean perChannel, boolean symmetric) {
        int groups = perChannel ? n : 1;
        float[] scales = new float[groups];
        byte[] zeroPoints = new byte[groups];
        for (int g = 0; g < groups; g++) {
            float min = 0f;
            float max = 0f;
            for (int i = 0; i < k; i++) {
                for (int j = perChannel ? g : 0; j < (perChannel ? g + 1 : n); j++) {
                    float v = weight[i * n + j];
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            scales[g] = scale(min, max, symmetric);
            if (!symmetric) {
                long zp = Math.round(-128.0 - min / scales[g]);
                zeroPoints[g] = (byte) Math.max(-128, Math.min(127, zp));
            }
        }
        int lo = symmetric ? -127 : -128;
        byte[] q = new byte[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                int g = perChannel ? j : 0;
                long code = Math.round(weight[i * n + j] / scales[g]) + zeroPoints[g];
                q[i * n + j] = (byte) Math.max(lo, Math.min(127, code));
            }
        }
        return new Int8Weights(q, scales, zeroPoints);
    }

    /** Bytes the quantized weight occupies: codes, scales and (if stored) zero points. */
    public long bytes(boolean withZeroPoints) {
        return values.length + 4L * scales.length + (withZeroPoints ? zeroPoints.length : 0);
    }

    /**
     * The step of 8-bit codes over a group whose range (zero included) is [min, max]: symmetric spreads the larger
     * magnitude over 127 codes each side, asymmetric the whole range over 255; an all-zero group gets 1.
     */
    static float scale(float min, float max, boolean symmetric) {
        if (symmetric) {
            float amax = Math.max(-min, max);
            return amax == 0f ? 1f : amax / 127f;
        }
        float range = max - min;
        return range == 0f ? 1f : range / 255f;
    }
}
