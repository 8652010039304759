/** The int8-dynamic method: int8 weights for MatMul/Gemm, activations quantized by ONNX Runtime at run time. */
package io.qreg.engine.quant.dynamic;
