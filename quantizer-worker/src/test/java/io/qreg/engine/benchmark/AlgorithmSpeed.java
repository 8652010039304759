package io.qreg.engine.benchmark;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.QuantizationReport;
import io.qreg.engine.quant.Quantizer;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.engine.sensitivity.SensitivityRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The weight-only algorithms side by side on the generated ~85M-parameter transformer, for
 * {@link EngineSpeedBenchmark}: int4 block 32 symmetric with RTN, then GPTQ on 64 calibration sequences of 128
 * tokens ({@code bytelm_small_calib_ids.npy}: the generated model has the same 256-byte vocabulary). One run each
 * (GPTQ takes minutes; the JIT is warm from the int4 runs before it), wall clock of {@link Quantizer#quantize}
 * (load, capture, pass, save, ONNX Runtime check) and peak heap. HQQ joins the table once it is wired into the
 * dispatch; until then it is listed as not built.
 */
final class AlgorithmSpeed {

    static final double GPTQ_TARGET_S = 180;

    record Row(Algorithm algorithm, double seconds, HeapWatch.Result heap, QuantizationReport report) {
    }

    private AlgorithmSpeed() {
    }

    static List<Row> measure(Path model, Path calibrationIds, Path dir) throws Exception {
        QuantizationOptions base = new QuantizationOptions(Method.INT4_WEIGHT, false, true,
                QuantizationOptions.DEFAULT_BLOCK_SIZE, null, QuantizationOptions.DEFAULT_PERCENTILE, null, null,
                Map.of("input_ids", calibrationIds), null, null, true);
        List<Row> rows = new ArrayList<>();
        for (Algorithm algorithm : List.of(Algorithm.RTN, Algorithm.GPTQ)) {
            QuantizationOptions options = base.withAlgorithm(algorithm, QuantizationOptions.DEFAULT_GPTQ_DAMP, false);
            Path out = dir.resolve("transformer-85m.int4-" + algorithm.wireName() + ".onnx");
            try (HeapWatch watch = new HeapWatch()) {
                long start = System.nanoTime();
                // No sensitivity run: the calibration data is for GPTQ (and RTN's verification) only.
                QuantizationReport report = Quantizer.quantize(model, out, options, ProgressListener.NONE,
                        SensitivityRequest.NONE);
                double seconds = (System.nanoTime() - start) / 1e9;
                HeapWatch.Result heap = watch.stop();
                rows.add(new Row(algorithm, seconds, heap, report));
                System.out.printf(Locale.ROOT, "int4 %s: %.1f s, peak heap %.2f GiB%n", algorithm.wireName(), seconds,
                        heap.peakBytes() / (double) (1L << 30));
            }
        }
        return rows;
    }

    static boolean gptqOk(List<Row> rows) {
        return rows.stream().filter(r -> r.algorithm() == Algorithm.GPTQ)
                .allMatch(r -> r.seconds() <= GPTQ_TARGET_S
                        && r.heap().peakBytes() <= EngineSpeedBenchmark.HEAP_TARGET_BYTES);
    }

    static void section(StringBuilder md, List<Row> rows) {
        md.append("## Weight-only algorithms on the generated transformer\n\n");
        md.append("int4 block 32 symmetric; GPTQ with damp 0.01, no act-order, 64 calibration sequences of 128 tokens"
                + " (`bytelm_small_calib_ids.npy`). One run each, wall time of `Quantizer.quantize` (GPTQ's includes"
                + " capturing the layer inputs' Hessians in ONNX Runtime), peak heap as above. HQQ is not built into"
                + " the dispatch in this build, so it has no row yet.\n\n");
        md.append("| algorithm | wall | target | peak heap | GC | output |\n");
        md.append("|---|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            md.append(String.format(Locale.ROOT, "| %s | **%.1f s** | %s | %.2f GiB | %d, %d ms | %.1f MB |\n",
                    r.algorithm().label(), r.seconds(), r.algorithm() == Algorithm.GPTQ
                            ? String.format(Locale.ROOT, "≤ %.0f s", GPTQ_TARGET_S) : "",
                    r.heap().peakBytes() / (double) (1L << 30), r.heap().gcCount(), r.heap().gcMillis(),
                    r.report().bytesAfter() / 1e6));
        }
        md.append('\n');
    }
}
