/**
 * Evaluation of ONNX models with ONNX Runtime Java (CPU provider): task metrics (classification accuracy,
 * language-model perplexity and next-token accuracy), agreement with a reference model (top-1 agreement,
 * SQNR, maximum absolute error), per-slice breakdowns and deltas against the reference's own metrics.
 *
 * <p>Data is memory-mapped ({@link io.qreg.npy.MappedNpy}) and fed to the runtime one batch at a
 * time, and outputs are reduced to running sums as each batch finishes, so memory stays bounded by the batch
 * size rather than the dataset size. {@link io.qreg.engine.eval.ModelSession} and
 * {@link io.qreg.engine.eval.InputFeeds} are shared with the benchmark runner.
 */
package io.qreg.engine.eval;
