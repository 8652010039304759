/**
 * Latency and throughput benchmarks of ONNX models on ONNX Runtime's CPU provider: session load time, warm-up,
 * timed iterations with percentiles and a noise flag, throughput, resident-memory cost, and the speed-up of each
 * model over the first when several are compared. Models under comparison are timed interleaved so that they
 * share the machine's state (thermal throttling, other builds on a shared host) instead of one of them getting
 * the quiet minute.
 */
package io.qreg.engine.bench;
