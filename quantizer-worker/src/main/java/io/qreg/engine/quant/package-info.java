/** The quantization engine's framework: methods, options, passes, op quantizers and the per-layer report. */
package io.qreg.engine.quant;
