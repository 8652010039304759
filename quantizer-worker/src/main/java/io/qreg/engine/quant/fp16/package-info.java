/** The fp16 method: float16 weights and compute, float32 at the graph's boundary and in numerically fragile ops. */
package io.qreg.engine.quant.fp16;
