/** int8-static in ONNX Runtime's QDQ format: QuantizeLinear/DequantizeLinear pairs around calibrated activations and int8 weights. */
package io.qreg.engine.quant.qdq;
