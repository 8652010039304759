/**
 * SmoothQuant for int8-static: per-channel activation maxima from a calibration run, smoothing factors balanced
 * against the weights, folded into a LayerNormalization or an explicit Mul, before the QDQ pass calibrates anew.
 */
package io.qreg.engine.quant.qdq.smooth;
