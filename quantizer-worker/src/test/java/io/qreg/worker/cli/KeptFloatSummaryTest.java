package io.qreg.worker.cli;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.worker.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A method that skips weight layers says so: a row per skipped layer and the float share at a glance. */
class KeptFloatSummaryTest {

    /** digits_cnn's weights: two Convs (16x1x3x3, 32x16x3x3) and two Gemms (64x1024 as 65 536, 128x10 as 1 280). */
    private static final long CONV_WEIGHTS = 144 + 4_608;
    private static final long ALL_WEIGHTS = CONV_WEIGHTS + 65_536 + 1_280;

    @TempDir
    Path dir;

    @Test
    void int4WeightListsTheConvolutionsItKeepsInFloatAndTheirShareOfTheWeights() {
        CliRun text = CliRun.of("quantize", "--method", "int4-weight", path("digits_cnn.onnx").toString(),
                "-o", dir.resolve("cnn-int4.onnx").toString());

        assertThat(text.exitCode()).as(text.err()).isZero();
        long percent = Math.round(100.0 * CONV_WEIGHTS / ALL_WEIGHTS);
        assertThat(text.out()).contains("float       " + percent + "% of weights kept in float")
                .contains("unsupported", "int4-weight rewrites only Gather, Gemm and MatMul layers;"
                        + " this Conv's 4608 weights stay float32");
    }

    @Test
    void theJsonReportCarriesTheFloatShareAndARowPerFloatLayer() {
        CliRun json = CliRun.of("quantize", "--method", "int4-weight", "--json", path("digits_cnn.onnx").toString(),
                "-o", dir.resolve("cnn-int4.onnx").toString());

        assertThat(json.exitCode()).as(json.err()).isZero();
        Map<String, Object> report = Json.parseObject(json.out());
        assertThat(((Number) report.get("floatParameterShare")).doubleValue())
                .isEqualTo(Math.round(10_000.0 * CONV_WEIGHTS / ALL_WEIGHTS) / 10_000.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) report.get("layers");
        assertThat(layers).filteredOn(l -> l.get("opType").equals("Conv")).hasSize(2)
                .allSatisfy(l -> assertThat(l).containsEntry("status", "UNSUPPORTED"));
    }
}
