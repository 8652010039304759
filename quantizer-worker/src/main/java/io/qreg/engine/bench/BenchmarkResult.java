package io.qreg.engine.bench;

/**
 * One model's benchmark.
 *
 * @param model              the model's path as given
 * @param loadTimeMs         session creation: parsing, graph optimization, kernel set-up
 * @param batch              samples per run
 * @param intraOpThreads     threads per operator (0: ONNX Runtime's default)
 * @param warmup             untimed runs before timing
 * @param latency            timed runs
 * @param throughput         samples per second: with one caller, at the mean latency (batch × 1000 / mean ms); with
 *                           concurrent callers, samples of all calls / wall time of this model's timed phases
 * @param speedup            the first model's median latency / this model's (1.0 for the first); medians because
 *                           a few preempted runs should not decide a comparison
 * @param rssDeltaBytes      resident-set growth from before loading this model until after its warm-up, from
 *                           {@code /proc/self/status} VmRSS; -1 where procfs is unavailable. Measured while earlier
 *                           models stay loaded, so it is this model's added cost
 * @param interval           95 % bootstrap interval of the speed-up and p99 latency over the interleaved rounds;
 *                           null where it was not computed
 */
public record BenchmarkResult(String model, double loadTimeMs, int batch, int intraOpThreads, int warmup,
                              LatencyStats latency, double throughput, double speedup, long rssDeltaBytes,
                              SpeedupInterval interval) {

    public BenchmarkResult(String model, double loadTimeMs, int batch, int intraOpThreads, int warmup,
                           LatencyStats latency, double throughput, double speedup, long rssDeltaBytes) {
        this(model, loadTimeMs, batch, intraOpThreads, warmup, latency, throughput, speedup, rssDeltaBytes, null);
    }

    public boolean noisy() {
        return latency.noisy();
    }
}
