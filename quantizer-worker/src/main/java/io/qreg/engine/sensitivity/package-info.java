/**
 * Per-layer sensitivity and the accuracy budget.
 *
 * <p><b>Sensitivity</b> of a layer is the SQNR, in dB, of the model's floating-point outputs when only that
 * layer is quantized, against the FP32 model on the first samples of the calibration set:
 * {@code 10·log10(Σref² / Σ(ref−out)²)} over all elements of all float outputs. Low means sensitive.
 *
 * <p>The <b>accuracy budget</b> works like Intel Neural Compressor's accumulated fallback: quantize every
 * layer, measure the relative output error {@code e = sqrt(Σ(ref−out)² / Σref²)} (a fraction, the same
 * sums as the SQNR: {@code e = 10^(−SQNR/20)}), and while {@code e} exceeds the budget put the most
 * sensitive remaining layer back to float and measure again.
 *
 * <p>Everything runs in memory: each candidate model is a pass applied to a copy of the loaded proto and
 * opened in ONNX Runtime from its bytes, so models must serialize under 2 GiB.
 */
package io.qreg.engine.sensitivity;
