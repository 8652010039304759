/** HQQ (half-quadratic quantization): calibration-free zero-point optimisation for MatMulNBits blocks. */
package io.qreg.engine.quant.weightonly.hqq;
