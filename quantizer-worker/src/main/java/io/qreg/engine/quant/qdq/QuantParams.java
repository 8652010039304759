package io.qreg.engine.quant.qdq;

import io.qreg.engine.calibration.Range;

/**
 * Scale and zero point of a per-tensor int8 activation: q = clamp(round(x / scale) + zeroPoint, -128, 127).
 *
 * <p>Activations are int8 <em>asymmetric</em> and weights int8 symmetric ("S8S8"), ONNX Runtime's
 * default for QDQ: 256 levels over the calibrated range like uint8 would give, without the U8S8
 * VPMADDUBSW saturation ONNX Runtime warns about on AVX2 machines without VNNI.
 */
public record QuantParams(float scale, int zeroPoint) {

    public static final int QMIN = -128;
    public static final int QMAX = 127;

    /** Softmax outputs lie in [0, 1]: ONNX Runtime fixes their parameters at 1/256 and -128. */
    public static final QuantParams SOFTMAX_OUTPUT = new QuantParams(1f / 256f, -128);

    public QuantParams {
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite, got " + scale);
        }
        if (zeroPoint < QMIN || zeroPoint > QMAX) {
            throw new IllegalArgumentException("int8 zero point out of range: " + zeroPoint);
        }
    }

    /** The asymmetric parameters that map the range (widened to include 0) onto -128..127. */
    public static QuantParams forRange(Range range) {
        double min = Math.min(0, range.min());
        double max = Math.max(0, range.max());
        double scale = (max - min) / (QMAX - QMIN);
        if (scale == 0 || (float) scale == 0) {
            return new QuantParams(1f, 0); // a constant-zero tensor: any scale represents it exactly
        }
        long zp = Math.round(Math.rint(QMIN - min / scale));
        return new QuantParams((float) scale, (int) Math.max(QMIN, Math.min(QMAX, zp)));
    }
}
