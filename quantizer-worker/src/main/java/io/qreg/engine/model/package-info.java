/**
 * The engine's in-memory ONNX model: loading and atomically saving models (with external data beyond
 * the 2 GiB protobuf limit), and the name-indexed, editable graph that quantization passes work on.
 */
package io.qreg.engine.model;
