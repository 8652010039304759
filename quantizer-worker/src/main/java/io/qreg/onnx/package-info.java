/**
 * Streaming, dependency-free inspection of ONNX model files: reads a model's header (versions, producer,
 * graph signature and counts) straight from the protobuf wire format in constant memory.
 */
package io.qreg.onnx;
