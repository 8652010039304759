/** The engine's shared vocabulary: progress reporting used by quantization, evaluation and benchmarks. */
package io.qreg.engine;
