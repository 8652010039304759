/**
 * Evaluation of ONNX models with ONNX Runtime Java (CPU provider): task metrics (classification accuracy and
 * calibration error, language-model perplexity and next-token accuracy, embedding recall@10), comparisons with a
 * reference model (top-1 agreement, SQNR, maximum absolute error; flip rate per class; KL divergence, its tail
 * and RMS Δp as llama.cpp reports them; cosine similarity and neighbour overlap), per-slice breakdowns and deltas
 * against the reference's own metrics. docs/engine.md ("Evaluation metrics") defines each key.
 *
 * <p>Data is memory-mapped ({@link io.qreg.npy.MappedNpy}) and fed to the runtime one batch at a
 * time, and outputs are reduced to running sums as each batch finishes, so memory stays bounded by the batch
 * size rather than the dataset size — except for what needs every value: one float per language-model position
 * for the KL divergence percentiles, and every item's vector for embedding neighbours. {@link io.qreg.engine.eval.ModelSession} and
 * {@link io.qreg.engine.eval.InputFeeds} are shared with the benchmark runner.
 */
package io.qreg.engine.eval;
