/**
 * Acceptance policies: the thresholds a model's variants must meet (its own, or its risk tier's
 * defaults) and the verdict that judges a variant's recorded evidence against them.
 *
 * <p>Defaults by risk tier (a dash is not checked):
 *
 * <pre>
 * threshold                   standard  high   regulated
 * maxAccuracyDrop             0.02      0.01   0.005      fraction: 0.01 = one percentage point
 * maxPerplexityIncreasePct    5         3      2          language models only
 * minTop1Agreement            0.85      0.90   0.95       argmax agreement with the FP32 checkpoint
 * maxWorstSliceAccuracyDrop   0.05      0.03   0.02       where the evaluation dataset has slices
 * maxMeanKld                  -         -      -          language models only: meanKld, nats
 * maxFlipRate                 -         -      -          classification only: flipRate, fraction
 * minSpeedup                  -         0.75   0.75       on every hardware target benchmarked
 * maxP99LatencyMs             -         -      -
 * maxMemoryMb                 -         -      -
 * </pre>
 *
 * <p>Why these figures. On this project's reference language model (bytelm_small) QReg's int8-dynamic
 * variant loses 0.1% perplexity and agrees with FP32 on 97.8% of next-byte predictions, int4-weight
 * (symmetric, block 32) loses 1.8% and agrees on 91.2% with a next-byte accuracy 0.4 points lower,
 * and fp16 is indistinguishable; all three pass {@code high}, where the perplexity and agreement
 * bounds still catch a broken quantization (ONNX Runtime's own static QDQ collapses it to +330% and
 * 32%). {@code regulated} admits 8-bit and 16-bit variants of such a model but not its 4-bit one,
 * which needs a model's own policy or an ADMIN's audited override. The worst-slice bound is looser
 * than the overall one because small slices are noisy. Speed is a product choice rather than a
 * risk, so {@code standard} sets none; {@code high} and {@code regulated} only refuse a variant
 * clearly slower than its checkpoint (fp16 on a CPU measures about 0.96x, and benchmarks on a busy
 * machine wobble by several percent), which also makes a benchmark part of the required evidence.
 * Latency and memory budgets depend on the model and the hardware, so only a model's own policy sets them.
 * No tier sets maxMeanKld or maxFlipRate: a classifier's flip rate is 1 - top-1 agreement, which the
 * tiers bound already, and a KL divergence budget depends on the vocabulary and the data; evaluations
 * recorded before these metrics existed would also fail them for want of evidence.
 *
 * <p>How a verdict reads the evidence: accuracy is {@code accuracy} (next-token accuracy for a
 * language model) and its drop is the negated delta against the checkpoint; perplexity increase is
 * relative to the checkpoint's perplexity on the same data; memory is the variant's resident-memory
 * growth in its benchmark. A threshold that applies but has no evidence yet fails ("no evaluation
 * yet", "no benchmark yet on hardware target ..."): a verdict is only as good as its evidence.
 * Speed gates compare the conservative bound of a benchmark's 95 % interval ({@link
 * io.qreg.registry.policy.BenchmarkBounds}); per-slice thresholds match slices by the names their dataset
 * gives them and fail closed when no evaluated dataset names the slice ({@link
 * io.qreg.registry.policy.SliceChecks}).
 */
package io.qreg.registry.policy;
