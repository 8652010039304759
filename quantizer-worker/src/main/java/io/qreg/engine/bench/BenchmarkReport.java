package io.qreg.engine.bench;

import java.util.List;

/**
 * All models of one benchmark run, timed interleaved.
 *
 * @param results                per model, in the order given; the first is the speed-up baseline
 * @param onnxRuntimeVersion     the native runtime measured
 * @param peakRssBytes           the process's peak resident set ({@code VmHWM}) at the end, -1 if unavailable; it
 *                               includes the JVM itself, so read it as an upper bound
 * @param jvmHeapPeakBytes       peak Java heap use (sum of heap pools' peaks); ONNX Runtime memory is not in it
 * @param noisyCvThreshold       the coefficient of variation above which a result is flagged noisy
 */
public record BenchmarkReport(List<BenchmarkResult> results, String onnxRuntimeVersion, long peakRssBytes,
                              long jvmHeapPeakBytes, double noisyCvThreshold) {

    public BenchmarkReport {
        results = List.copyOf(results);
    }
}
