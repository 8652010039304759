/**
 * The qat method: imports a quantization-aware-trained export (float weights → QuantizeLinear →
 * DequantizeLinear, plus activation Q/DQ pairs) into deployable storage with the trained scales kept:
 * 8-bit weights become integer initializers feeding their DequantizeLinear, 4-bit MatMul weights become
 * com.microsoft MatMulNBits on the same grid, and activation Q/DQ pairs stay exactly as trained.
 */
package io.qreg.engine.quant.qat;
