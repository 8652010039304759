package io.qreg.engine.quant.weightonly;

/**
 * What the calibration set says about the inputs X ([rows, k]) one linear layer sees, reduced to what the
 * data-aware algorithms read: GPTQ's Hessian of the layer's squared output error, {@code H = 2·XᵀX / rows}, and
 * AWQ's per-input-channel activation magnitude, {@code mean |x_i|}. Its size is k² + k doubles whatever the
 * number of samples.
 *
 * @param k input channels
 * @param hessian H, row-major [k, k], symmetric
 * @param meanAbs mean |x| per input channel, [k]
 * @param rows how many input vectors (tokens, samples) were accumulated
 */
public record LayerInputs(int k, double[] hessian, double[] meanAbs, long rows) {

    public LayerInputs {
        if (hessian.length != (long) k * k || meanAbs.length != k) {
            throw new IllegalArgumentException("a layer of " + k + " inputs needs a " + k + "x" + k + " Hessian and "
                    + k + " magnitudes");
        }
    }
}
