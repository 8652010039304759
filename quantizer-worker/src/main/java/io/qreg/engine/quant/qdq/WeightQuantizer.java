package io.qreg.engine.quant.qdq;

/**
 * Symmetric int8 weights (-127..127, zero point 0) per tensor or per channel, and int32 biases whose
 * scale is input scale × weight scale, as ONNX Runtime's quantizer writes them so its QDQ fusions can
 * turn DQ-Conv-Q into QLinearConv with the bias added in the int32 accumulator.
 */
final class WeightQuantizer {

    static final int WEIGHT_QMAX = 127;

    private WeightQuantizer() {
    }

    /** @param scales one per channel along {@code axis}, or one in total when {@code axis < 0} */
    record QuantizedWeight(byte[] values, float[] scales, int axis) {
    }

    /** Quantizes {@code w} of shape {@code dims}; {@code axis < 0} means one scale for the whole tensor. */
    static QuantizedWeight quantize(float[] w, long[] dims, int axis) {
        int channels = axis < 0 ? 1 : Math.toIntExact(dims[axis]);
        long inner = 1;
        for (int d = axis + 1; axis >= 0 && d < dims.length; d++) {
            inner *= dims[d];
        }
        float[] maxAbs = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = channel(i, axis, channels, inner);
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            // An all-zero channel quantizes to zeros with any scale; 1 keeps DequantizeLinear well-defined.
            scales[c] = maxAbs[c] == 0 ? 1f : maxAbs[c] / WEIGHT_QMAX;
        }
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            int c = channel(i, axis, channels, inner);
            long v = (long) Math.rint(w[i] / scales[c]);
            q[i] = (byte) Math.max(-WEIGHT_QMAX, Math.min(WEIGHT_QMAX, v));
        }
        return new QuantizedWeight(q, scales, axis);
    }

    private static int channel(int index, int axis, int channels, long inner) {
        return axis < 0 ? 0 : (int) ((index / inner) % channels);
    }

    /** int32 bias with scale[c] = inputScale × weightScales[c] (one weight scale broadcasts). */
    static int[] quantizeBias(float[] bias, float inputScale, float[] weightScales, float[] biasScalesOut) {
        int[] q = new int[bias.length];
        for (int i = 0; i < bias.length; i++) {
            float s = inputScale * weightScales[weightScales.length == 1 ? 0 : i];
            biasScalesOut[i] = s;
            double v = Math.rint(bias[i] / (double) s);
            q[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
        }
        return q;
    }
}
