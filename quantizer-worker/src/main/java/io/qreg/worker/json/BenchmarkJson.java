package io.qreg.worker.json;

import io.qreg.engine.bench.BenchmarkOptions;
import io.qreg.engine.bench.BenchmarkReport;
import io.qreg.engine.bench.BenchmarkResult;
import io.qreg.engine.bench.LatencyStats;
import io.qreg.engine.bench.SpeedupInterval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A benchmark as JSON: what {@code benchmark --json} prints and what the worker reports to the registry, one map
 * for both.
 */
public final class BenchmarkJson {

    private BenchmarkJson() {
    }

    /** The JSON object of {@code benchmark --json}, which the worker daemon reports too. */
    public static Map<String, Object> of(BenchmarkReport report, BenchmarkOptions options) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", "benchmark");
        json.put("onnxRuntimeVersion", report.onnxRuntimeVersion());
        json.put("interleaved", true);
        if (options.concurrency() > 1) {
            json.put("concurrency", options.concurrency());
        }
        json.put("iterations", options.iterations());
        json.put("warmup", options.warmup());
        json.put("noisyCvThreshold", report.noisyCvThreshold());
        json.put("memorySource", "rssDeltaBytes: VmRSS growth per model and peakRssBytes: VmHWM, from /proc/self/status;"
                + " jvmHeapPeakBytes: peak Java heap use (ONNX Runtime allocates outside the heap)");
        json.put("peakRssBytes", report.peakRssBytes());
        json.put("jvmHeapPeakBytes", report.jvmHeapPeakBytes());
        List<Object> results = new ArrayList<>();
        for (BenchmarkResult r : report.results()) {
            Map<String, Object> m = new LinkedHashMap<>();
            LatencyStats l = r.latency();
            m.put("model", r.model());
            m.put("loadTimeMs", r.loadTimeMs());
            m.put("batch", r.batch());
            m.put("threads", r.intraOpThreads());
            m.put("latencyMeanMs", l.meanMs());
            m.put("latencyP50Ms", l.p50Ms());
            m.put("latencyP90Ms", l.p90Ms());
            m.put("latencyP99Ms", l.p99Ms());
            m.put("latencyMinMs", l.minMs());
            m.put("latencyMaxMs", l.maxMs());
            m.put("latencyStdDevMs", l.stdDevMs());
            m.put("cv", l.cv());
            m.put("noisy", r.noisy());
            m.put("throughput", r.throughput());
            m.put("speedup", r.speedup());
            if (r.interval() != null) {
                m.put("speedupInterval", intervalJson(r.interval()));
                m.put("latencyP99IntervalMs", Map.of("level", r.interval().level(),
                        "low", r.interval().latencyP99LowMs(), "high", r.interval().latencyP99HighMs()));
            }
            m.put("rssDeltaBytes", r.rssDeltaBytes());
            results.add(m);
        }
        json.put("results", results);
        return json;
    }

    /** The speed-up's bootstrap interval; the registry's gates read {@code low} (and the p99's {@code high}). */
    private static Map<String, Object> intervalJson(SpeedupInterval interval) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("level", interval.level());
        json.put("low", interval.speedupLow());
        json.put("high", interval.speedupHigh());
        json.put("relativeWidth", interval.relativeWidth());
        json.put("noisy", interval.noisy());
        json.put("noisyRelativeWidth", SpeedupInterval.NOISY_RELATIVE_WIDTH);
        json.put("method", "percentile bootstrap over interleaved rounds");
        json.put("resamples", interval.resamples());
        json.put("seed", interval.seed());
        return json;
    }
}
