/**
 * Conversions between ONNX {@code TensorProto} and Java arrays (little-endian {@code raw_data}), IEEE
 * half-precision arithmetic and 4-bit packing, so passes never hand-roll byte layouts.
 */
package io.qreg.engine.tensor;
