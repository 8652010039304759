/** The int4-weight and int8-weight methods: block-wise weight-only quantization to com.microsoft MatMulNBits. */
package io.qreg.engine.quant.weightonly;
