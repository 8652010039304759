/** Checkpoints: immutable source ONNX artifacts of a model, their signatures and lineage. */
package io.qreg.registry.checkpoint;
