package io.qreg.engine.benchmark;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationRunner;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.engine.sensitivity.SensitivityRequest;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;

/**
 * The weight-only algorithms side by side on the generated ~85M-parameter transformer, for
 * {@link EngineSpeedBenchmark}: int4 block 32 with RTN (symmetric), HQQ (float zero points, the paper's and ONNX
 * Runtime's form, and symmetric), then GPTQ (symmetric, damp 0.01, no act-order) on 64 calibration sequences of 128
 * tokens ({@code bytelm_small_calib_ids.npy}: the generated model has the same 256-byte vocabulary). One run each
 * (GPTQ takes minutes; the JIT is warm from the int4 runs before it), wall clock of {@link Quantizer#quantize}
 * (load, capture, pass, save, ONNX Runtime check), the process's CPU time over the same span (on a shared machine
 * the wall time also holds waiting for a core), GPTQ's time in ONNX Runtime's capture runs, and peak heap. All
 * rows get the same calibration file, so every check runs on the same calibration samples.
 */
final class AlgorithmSpeed {

    static final double GPTQ_TARGET_S = 180;
    static final double HQQ_TARGET_S = 10;

    record Row(String label, Algorithm algorithm, double seconds, double cpuSeconds, double captureSeconds,
            HeapWatch.Result heap, QuantizationReport report, String loadBefore, String loadAfter) {
    }

    private record Case(String label, Algorithm algorithm, boolean symmetric) {
    }

    private static final List<Case> CASES = List.of(
            new Case("RTN, symmetric", Algorithm.RTN, true),
            new Case("HQQ, float zero points", Algorithm.HQQ, false),
            new Case("HQQ, symmetric", Algorithm.HQQ, true),
            new Case("GPTQ, symmetric", Algorithm.GPTQ, true));

    private AlgorithmSpeed() {
    }

    static List<Row> measure(Path model, Path calibrationIds, Path dir) throws Exception {
        List<Row> rows = new ArrayList<>();
        for (Case c : CASES) {
            QuantizationOptions options = new QuantizationOptions(Method.INT4_WEIGHT, false, c.symmetric(),
                    QuantizationOptions.DEFAULT_BLOCK_SIZE, null, QuantizationOptions.DEFAULT_PERCENTILE, null, null,
                    Map.of("input_ids", calibrationIds), null, null, true)
                    .withAlgorithm(c.algorithm(), QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
            Path out = dir.resolve("transformer-85m.int4-" + c.algorithm().wireName()
                    + (c.symmetric() ? "-sym" : "") + ".onnx");
            CaptureClock capture = new CaptureClock();
            String loadBefore = EngineSpeedBenchmark.loadAverage();
            try (HeapWatch watch = new HeapWatch()) {
                double cpuStart = processCpuSeconds();
                long start = System.nanoTime();
                // No sensitivity run: the calibration data is for GPTQ (and every row's verification) only.
                QuantizationReport report = Quantizer.quantize(model, out, options, capture,
                        SensitivityRequest.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpu = processCpuSeconds() - cpuStart;
                HeapWatch.Result heap = watch.stop();
                rows.add(new Row(c.label(), c.algorithm(), seconds, cpu, capture.seconds, heap, report, loadBefore,
                        EngineSpeedBenchmark.loadAverage()));
                System.out.printf(Locale.ROOT, "int4 %s: %.1f s (CPU %.1f s), peak heap %.2f GiB%n", c.label(),
                        seconds, cpu, heap.peakBytes() / (double) (1L << 30));
            }
        }
        return rows;
    }

    /** Time between the start and the end of each capture pass's ONNX Runtime runs, summed. */
    private static final class CaptureClock implements ProgressListener {
        double seconds;
        private long passStart;

        @Override
        public void progress(String stage, long done, long total) {
            if (!stage.equals(CalibrationRunner.STAGE)) {
                return;
            }
            if (done == 0) {
                passStart = System.nanoTime();
            } else if (done == total) {
                seconds += (System.nanoTime() - passStart) / 1e9;
            }
        }
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    static boolean gptqOk(List<Row> rows) {
        return rows.stream().filter(r -> r.algorithm() == Algorithm.GPTQ)
                .allMatch(r -> r.seconds() <= GPTQ_TARGET_S && heapOk(r));
    }

    static boolean hqqOk(List<Row> rows) {
        return rows.stream().filter(r -> r.algorithm() == Algorithm.HQQ)
                .allMatch(r -> r.seconds() <= HQQ_TARGET_S && heapOk(r));
    }

    static boolean heapOk(List<Row> rows) {
        return rows.stream().allMatch(AlgorithmSpeed::heapOk);
    }

    private static boolean heapOk(Row row) {
        return row.heap().peakBytes() <= EngineSpeedBenchmark.HEAP_TARGET_BYTES;
    }

    static void section(StringBuilder md, List<Row> rows) {
        md.append("## Weight-only algorithms on the generated transformer\n\n");
        md.append("int4 block 32; GPTQ with damp 0.01, no act-order, 64 calibration sequences of 128 tokens"
                + " (`bytelm_small_calib_ids.npy`). One run each, wall time of `Quantizer.quantize` (GPTQ's includes"
                + " capturing the layer inputs' Gram matrices in ONNX Runtime; \"capture\" is the time inside those"
                + " runs), the process's CPU time over the same span, peak heap as above. Every row's check runs on"
                + " the calibration samples.\n\n");
        md.append("| algorithm | wall | target | CPU | capture | peak heap | GC | check | output | load average"
                + " before / after |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            String target = switch (r.algorithm()) {
                case GPTQ -> String.format(Locale.ROOT, "≤ %.0f s", GPTQ_TARGET_S);
                case HQQ -> String.format(Locale.ROOT, "≤ %.0f s", HQQ_TARGET_S);
                default -> "";
            };
            md.append(String.format(Locale.ROOT, "| %s | **%.1f s** | %s | %.1f s | %s | %.2f GiB | %d, %d ms"
                    + " | %d samples, SQNR %.1f dB | %.1f MB | %s / %s |\n",
                    r.label(), r.seconds(), target, r.cpuSeconds(),
                    r.algorithm() == Algorithm.GPTQ ? String.format(Locale.ROOT, "%.1f s", r.captureSeconds()) : "",
                    r.heap().peakBytes() / (double) (1L << 30), r.heap().gcCount(), r.heap().gcMillis(),
                    r.report().verification().samples(), r.report().verification().sqnrDb(),
                    r.report().bytesAfter() / 1e6, r.loadBefore(), r.loadAfter()));
        }
        md.append('\n');
    }

    /** The verdict rows of the targets table. */
    static void verdicts(StringBuilder md, List<Row> rows) {
        for (Row r : rows) {
            boolean gptq = r.algorithm() == Algorithm.GPTQ;
            if (gptq || r.algorithm() == Algorithm.HQQ) {
                double limit = gptq ? GPTQ_TARGET_S : HQQ_TARGET_S;
                md.append(String.format(Locale.ROOT, "| %s int4 block 32, 85M model%s: wall | %.1f s | ≤ %.0f s | %s |%n",
                        r.label(), gptq ? ", 64×128 calibration tokens" : "", r.seconds(), limit,
                        r.seconds() <= limit ? "PASS" : "FAIL"));
            }
        }
        long peak = rows.stream().mapToLong(r -> r.heap().peakBytes()).max().orElse(0);
        md.append(String.format(Locale.ROOT, "| peak heap of the RTN, HQQ and GPTQ runs | %.2f GiB | ≤ 3 GiB | %s |%n",
                peak / (double) (1L << 30), heapOk(rows) ? "PASS" : "FAIL"));
    }

    static void assertTargets(SoftAssertions soft, List<Row> rows) {
        soft.assertThat(gptqOk(rows)).as("GPTQ on the 85M model within %.0f s and 3 GiB", GPTQ_TARGET_S).isTrue();
        soft.assertThat(hqqOk(rows)).as("HQQ on the 85M model within %.0f s", HQQ_TARGET_S).isTrue();
        soft.assertThat(heapOk(rows)).as("RTN, HQQ and GPTQ peak heap within 3 GiB").isTrue();
    }
}
