package io.qreg.engine.quant.weightonly.hqq;

/**
 * The proximal solver's knobs, defaults as in the HQQ paper and ONNX Runtime's HQQ quantizer.
 *
 * @param lpNorm p of the sparsity-promoting error norm ‖W − dequant(Q(W))‖ₚᵖ, 0 &lt; p ≤ 1
 * @param beta the half-quadratic penalty's starting weight; larger shrinks the error less
 * @param kappa beta's growth factor per iteration (&gt; 1, so the split tightens)
 * @param iterations the most iterations per block; a block stops early once its error stops falling
 */
public record HqqOptions(double lpNorm, double beta, double kappa, int iterations) {

    public HqqOptions {
        if (!(lpNorm > 0 && lpNorm <= 1)) {
            throw new IllegalArgumentException("lpNorm must be in (0, 1], got " + lpNorm);
        }
        if (!(beta > 0) || !(kappa >= 1)) {
            throw new IllegalArgumentException("beta must be > 0 and kappa >= 1, got " + beta + ", " + kappa);
        }
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be >= 0, got " + iterations);
        }
    }

    public static HqqOptions defaults() {
        return new HqqOptions(0.7, 10, 1.01, 20);
    }

    public HqqOptions withIterations(int count) {
        return new HqqOptions(lpNorm, beta, kappa, count);
    }
}
