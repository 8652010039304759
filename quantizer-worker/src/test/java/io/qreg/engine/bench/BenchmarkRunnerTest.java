package io.qreg.engine.bench;

import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.ProgressListener;
import io.qreg.npy.NpyArray;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class BenchmarkRunnerTest {

    @Test
    void comparesModelsInterleavedWithSpeedupAgainstTheFirst() throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(4, 1, 15, 2, 128, 1L, Map.of());
        List<Path> models = List.of(path("digits_mlp.onnx"), path("digits_cnn.onnx"));

        BenchmarkReport report = BenchmarkRunner.run(models, options, ProgressListener.NONE);

        assertThat(report.results()).hasSize(2);
        BenchmarkResult first = report.results().get(0);
        assertThat(first.model()).endsWith("digits_mlp.onnx");
        assertThat(first.speedup()).isEqualTo(1.0);
        assertThat(first.batch()).isEqualTo(4);
        assertThat(first.loadTimeMs()).isPositive();
        for (BenchmarkResult result : report.results()) {
            LatencyStats latency = result.latency();
            assertThat(latency.runs()).isEqualTo(15);
            assertThat(latency.minMs()).isPositive();
            assertThat(latency.p50Ms()).isBetween(latency.minMs(), latency.p90Ms());
            assertThat(latency.p90Ms()).isLessThanOrEqualTo(latency.p99Ms());
            assertThat(latency.p99Ms()).isLessThanOrEqualTo(latency.maxMs());
            assertThat(result.throughput()).isCloseTo(4 * 1000.0 / latency.meanMs(), within(1e-9));
            assertThat(result.noisy()).isEqualTo(latency.cv() > LatencyStats.NOISY_CV_THRESHOLD);
        }
        BenchmarkResult second = report.results().get(1);
        assertThat(second.speedup()).isCloseTo(first.latency().p50Ms() / second.latency().p50Ms(), within(1e-12));
        assertThat(report.onnxRuntimeVersion()).startsWith("1.");
        assertThat(report.jvmHeapPeakBytes()).isPositive();
        assertThat(report.noisyCvThreshold()).isEqualTo(0.20);
    }

    @Test
    void concurrentCallersShareOneSessionPerModelAndCompleteTheRequestedIterations() throws Exception {
        // 4 callers, 18 calls per model: 4 full rounds and a last round of 2, interleaved over two models.
        BenchmarkOptions options = new BenchmarkOptions(2, 1, 18, 1, 128, 1L, Map.of()).withConcurrency(4);
        List<Path> models = List.of(path("digits_mlp.onnx"), path("digits_mlp.onnx"));
        List<Long> progress = new java.util.concurrent.CopyOnWriteArrayList<>();

        BenchmarkReport report = BenchmarkRunner.run(models, options, (stage, done, total) -> {
            assertThat(total).isEqualTo(18);
            progress.add(done);
        });

        assertThat(options.concurrency()).isEqualTo(4);
        assertThat(progress).containsExactly(4L, 8L, 12L, 16L, 18L);
        assertThat(report.results()).hasSize(2);
        for (BenchmarkResult result : report.results()) {
            LatencyStats latency = result.latency();
            assertThat(latency.runs()).isEqualTo(18);
            assertThat(latency.minMs()).isPositive();
            assertThat(latency.p50Ms()).isBetween(latency.minMs(), latency.p90Ms());
            assertThat(latency.p90Ms()).isLessThanOrEqualTo(latency.p99Ms());
            assertThat(latency.p99Ms()).isLessThanOrEqualTo(latency.maxMs());
            assertThat(latency.cv()).isNotNegative();
            assertThat(result.noisy()).isEqualTo(latency.cv() > LatencyStats.NOISY_CV_THRESHOLD);
            assertThat(result.batch()).isEqualTo(2);
            // Samples over wall time: positive, and no more than 4 overlapping callers at the best latency could do.
            assertThat(result.throughput()).isPositive()
                    .isLessThanOrEqualTo(4 * 2 * 1000.0 / latency.minMs() * 1.0001);
        }
        assertThat(report.results().get(0).speedup()).isEqualTo(1.0);
        assertThat(report.results().get(1).speedup()).isPositive();
    }

    @Test
    void concurrencyDefaultsToOneAndMustBePositive() {
        assertThat(BenchmarkOptions.defaults().concurrency()).isEqualTo(1);
        assertThat(new BenchmarkOptions(1, 0, 3, 0, 128, 1L, Map.of()).concurrency()).isEqualTo(1);
        assertThatThrownBy(() -> BenchmarkOptions.defaults().withConcurrency(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("concurrency");
    }

    @Test
    void languageModelGetsSequenceLengthForItsSymbolicDimension() throws Exception {
        BenchmarkOptions options = new BenchmarkOptions(2, 1, 3, 1, 32, 1L, Map.of());

        BenchmarkReport report = BenchmarkRunner.run(List.of(path("bytelm_small.onnx")), options,
                ProgressListener.NONE);

        assertThat(report.results().get(0).latency().runs()).isEqualTo(3);
        assertThat(report.results().get(0).batch()).isEqualTo(2);
    }

    @Test
    void givenInputsAreCycledToFillTheBatch() throws Exception {
        NpyArray twoSamples = NpyArray.ofFloats(new float[2 * 64], 2, 64);
        BenchmarkOptions options = new BenchmarkOptions(5, 1, 3, 0, 128, 1L, Map.of("input", twoSamples));

        BenchmarkReport report = BenchmarkRunner.run(List.of(path("digits_mlp.onnx")), options, ProgressListener.NONE);

        assertThat(report.results().get(0).batch()).isEqualTo(5);
    }

    @Test
    void givenInputsThatDoNotFitAreRejected() {
        NpyArray wrong = NpyArray.ofFloats(new float[2 * 10], 2, 10);
        BenchmarkOptions options = new BenchmarkOptions(1, 1, 3, 0, 128, 1L, Map.of("input", wrong));

        assertThatThrownBy(() -> BenchmarkRunner.run(List.of(path("digits_mlp.onnx")), options, ProgressListener.NONE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("dimension 1 is 10, the model fixes it at 64");
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        long[] nanos = {1_000_000, 2_000_000, 3_000_000, 4_000_000, 100_000_000};

        LatencyStats stats = LatencyStats.ofNanos(nanos);

        assertThat(stats.p50Ms()).isEqualTo(3.0);
        assertThat(stats.p90Ms()).isCloseTo(61.6, within(1e-9)); // numpy.percentile([1,2,3,4,100], 90)
        assertThat(stats.meanMs()).isEqualTo(22.0);
        assertThat(stats.noisy()).isTrue();
        assertThat(LatencyStats.ofNanos(new long[] {5_000_000, 5_000_000}).noisy()).isFalse();
    }

    @Test
    void residentMemoryIsReadFromProcfsOnLinux() {
        long resident = ProcessMemory.residentBytes().orElseThrow();
        long peak = ProcessMemory.peakResidentBytes().orElseThrow(); // read later: a high-water mark only grows

        assertThat(resident).isPositive();
        assertThat(peak).isGreaterThanOrEqualTo(resident);
    }
}
