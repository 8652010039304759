/**
 * AWQ (activation-aware weight quantization): a per-input-channel scale search on calibration activations, and the
 * graph fold that divides the layer's activation by the chosen scales.
 */
package io.qreg.engine.quant.weightonly.awq;
