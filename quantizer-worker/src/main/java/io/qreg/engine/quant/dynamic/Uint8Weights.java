package io.qreg.engine.quant.dynamic;

/**
 * A float weight laid out [channels, rest] (a Conv kernel) quantized to uint8 with one zero point for
 * the whole tensor, {@code w ≈ scale[c] · (q − zeroPoint)}: the form ONNX Runtime's ConvInteger kernel
 * takes.
 *
 * <p>Symmetric: codes in [1, 255] around zero point 128 (the int8 range [-127, 127] shifted), so every
 * channel can have its own scale while sharing the zero point. Asymmetric (per tensor only): the range
 * [min(w, 0), max(w, 0)] over [0, 255], zero exactly representable.
 *
 * @param values codes in the weight's own order
 * @param scales one per channel, or one for the tensor
 */
record Uint8Weights(byte[] values, float[] scales, byte zeroPoint) {

    static Uint8Weights quantize(float[] weight, int channels, int rest, boolean perChannel, boolean symmetric) {
        if (perChannel && !symmetric) {
            throw new IllegalArgumentException("per-channel uint8 weights share one zero point, so they are symmetric");
        }
        int groups = perChannel ? channels : 1;
        int groupSize = perChannel ? rest : channels * rest;
        float[] scales = new float[groups];
        int zeroPoint = 128;
        for (int g = 0; g < groups; g++) {
            float min = 0f;
            float max = 0f;
            for (int i = g * groupSize; i < (g + 1) * groupSize; i++) {
                min = Math.min(min, weight[i]);
                max = Math.max(max, weight[i]);
            }
            scales[g] = Int8Weights.scale(min, max, symmetric);
            if (!symmetric) {
                zeroPoint = (int) Math.max(0, Math.min(255, Math.round(-min / scales[g])));
            }
        }
        int lo = symmetric ? 1 : 0;
        byte[] q = new byte[weight.length];
        for (int i = 0; i < weight.length; i++) {
            float scale = scales[perChannel ? i / rest : 0];
            long code = Math.round(weight[i] / scale) + zeroPoint;
            q[i] = (byte) Math.max(lo, Math.min(255, code));
        }
        return new Uint8Weights(q, scales, (byte) zeroPoint);
    }
}
