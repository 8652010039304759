/**
 * SmoothQuant for int8-static: per-channel activation statistics from a calibration run, smoothing factors balanced
 * against the weights (with {@code auto}, an α or none per group of layers sharing an activation, chosen by
 * simulating the static pass's rounding), folded into a LayerNormalization, a producing MatMul/Gemm or an explicit
 * Mul, before the QDQ pass calibrates anew.
 */
package io.qreg.engine.quant.qdq.smooth;
