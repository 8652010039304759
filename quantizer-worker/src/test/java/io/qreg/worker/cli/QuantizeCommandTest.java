package io.qreg.worker.cli;

import io.qreg.worker.json.Json;
import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code quantize} command as ARCHITECTURE.md writes it, end to end through ONNX Runtime. */
class QuantizeCommandTest {

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static String fixture(String name) {
        return path(name).toString();
    }

    @Test
    void quantizedModelKeepsAccuracyAndTheReportIsWritten() throws Exception {
        Path out = dir.resolve("mlp-int8.onnx");
        Path report = dir.resolve("report.json");
        CliRun run = cli("quantize", "--method", "int8-dynamic", "--per-channel", "--report", report.toString(),
                fixture("digits_mlp.onnx"), "-o", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("digits_mlp.onnx -> mlp-int8.onnx (int8-dynamic · 3 of 3 layers · 8.2 bits/weight)",
                "weights     int8 84480 parameters (3 layers)", "3 quantized");
        assertThat(Files.size(out)).isLessThan(Files.size(path("digits_mlp.onnx")) * 35 / 100);
        Map<String, Object> json = Json.parseObject(Files.readString(report));
        assertThat(json).containsEntry("method", "int8-dynamic");
        assertThat((List<?>) json.get("layers")).hasSize(3);

        CliRun evaluate = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x.npy"),
                "--labels", fixture("digits_eval_y.npy"), "--reference", fixture("digits_mlp.onnx"), "--json",
                out.toString());
        assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) Json.parseObject(evaluate.out()).get("metrics");
        assertThat(((Number) metrics.get("accuracy")).doubleValue()).isGreaterThanOrEqualTo(0.973);
    }

    @Test
    void jsonPrintsExactlyTheReportObject() {
        CliRun run = cli("quantize", "--method", "int4-weight", "--block-size", "32", "--json",
                fixture("digits_mlp.onnx"), "-o", dir.resolve("mlp-int4.onnx").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = Json.parseObject(run.out());
        assertThat(json).containsEntry("method", "int4-weight");
    }

    @Test
    void staticQuantizationWithCalibrationData() {
        Path out = dir.resolve("mlp-static.onnx");
        CliRun run = cli("quantize", "--method", "int8-static", "--calibration", "input=" + fixture("digits_calib_x.npy"),
                "--calibration-method", "entropy", fixture("digits_mlp.onnx"), "-o", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(out).exists();
        assertThat(run.out()).containsPattern("check       verified in ONNX Runtime 1\\.23\\.\\d+ on 16 calibration samples:"
                + " SQNR \\d+\\.\\d dB, top-1 agreement \\d+\\.\\d%");
    }

    @Test
    void anOptionTheMethodWouldIgnoreExitsWithTwoNamingTheFlagAndWritesNothing() throws Exception {
        String calibration = "input=" + fixture("digits_calib_x.npy");
        String[][] cases = {
            {"--per-channel does not apply to int4-weight: its granularity is --block-size",
                "--method", "int4-weight", "--per-channel"},
            {"--asymmetric does not apply to int8-static: its weights are always symmetric int8",
                "--method", "int8-static", "--asymmetric", "--calibration", calibration},
            {"--block-size does not apply to int8-dynamic", "--method", "int8-dynamic", "--block-size", "64"},
            {"--no-mask-guard does not apply to int8-dynamic", "--method", "int8-dynamic", "--no-mask-guard"},
            {"--symmetric does not apply to fp16: fp16 has no zero points", "--method", "fp16", "--symmetric"},
            {"--calibration-method does not apply to int4-weight", "--method", "int4-weight",
                "--calibration-method", "minmax"},
            {"--percentile applies only with --calibration-method percentile", "--method", "int8-static",
                "--calibration", calibration, "--percentile", "99.9"},
        };
        Path out = dir.resolve("refused.onnx");
        for (String[] c : cases) {
            List<String> argv = new java.util.ArrayList<>(List.of("quantize"));
            argv.addAll(List.of(c).subList(1, c.length));
            argv.addAll(List.of(fixture("digits_mlp.onnx"), "-o", out.toString()));

            CliRun run = cli(argv.toArray(String[]::new));

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).startsWith("quantize: " + c[0]);
            assertThat(run.err()).doesNotContain("\tat ");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void reportCarriesPerLayerSensitivityAndTheBudgetKeepsTheMostSensitiveLayersInFloat() throws Exception {
        Path report = dir.resolve("lm-report.json");
        CliRun run = cli("quantize", "--method", "int4-weight", "--symmetric",
                "--calibration", "input_ids=" + fixture("bytelm_small_calib_ids.npy"), "--accuracy-budget", "0.02",
                "--report", report.toString(), fixture("bytelm_small.onnx"), "-o", dir.resolve("lm.onnx").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("budget", "within budget");
        Map<String, Object> json = Json.parseObject(Files.readString(report));
        assertThat(((Number) json.get("finalRelativeError")).doubleValue()).isLessThanOrEqualTo(0.02);
        assertThat((List<?>) json.get("keptFloatForBudget")).isNotEmpty();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) json.get("layers");
        assertThat(layers).anySatisfy(layer -> assertThat(layer).containsKey("sensitivitySqnrDb"));
    }

    @Test
    void jsonAndReportCarryThePrecisionMix() throws Exception {
        Path report = dir.resolve("cnn.json");
        CliRun run = cli("quantize", "--method", "int8-dynamic", "--json", "--report", report.toString(),
                fixture("digits_cnn.onnx"), "-o", dir.resolve("cnn-int8.onnx").toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        for (Map<String, Object> json : List.of(Json.parseObject(run.out()), Json.parseObject(Files.readString(report)))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> mix = (Map<String, Object>) json.get("precisionMix");
            // Gemms and (ConvInteger) Convs all int8: codes plus a scale per layer and a zero point per Conv.
            assertThat(mix).containsEntry("quantizedLayers", 4L).containsEntry("bitsPerWeight", 8.002);
            assertThat(mix.get("layers")).isEqualTo(Map.of("int4", 0L, "int8", 4L, "fp16", 0L, "fp32", 0L, "total", 4L));
        }
    }

    @Test
    void nothingQuantizedExitsWithTwoAndWritesNoFile() {
        Path out = dir.resolve("same-as-checkpoint.onnx");
        Path report = dir.resolve("r.json");
        CliRun run = cli("quantize", "--method", "int8-dynamic", "--exclude-op-types", "Gemm", "--report",
                report.toString(), fixture("digits_mlp.onnx"), "-o", out.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("quantize: nothing was quantized: 0 of 3 layers: 3 excluded by the options");
        assertThat(out).doesNotExist();
        assertThat(report).doesNotExist();
    }

    @Test
    void budgetWithoutCalibrationIsBadUsage() {
        CliRun run = cli("quantize", "--method", "int8-dynamic", "--accuracy-budget", "0.01", fixture("digits_mlp.onnx"),
                "-o", dir.resolve("x.onnx").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--calibration");
    }

    @Test
    void aBitsTargetIsRefusedOffInt4WeightWithoutCalibrationOrBelowInt4NamingTheFlag() {
        Path out = dir.resolve("mixed.onnx");
        String calibration = "input=" + fixture("digits_calib_x.npy");

        CliRun otherMethod = cli("quantize", "--method", "int8-weight", "--target-bits-per-weight", "9",
                "--calibration", calibration, fixture("digits_mlp.onnx"), "-o", out.toString());
        CliRun noCalibration = cli("quantize", "--method", "int4-weight", "--target-bits-per-weight", "5.5",
                fixture("digits_mlp.onnx"), "-o", out.toString());
        CliRun notANumber = cli("quantize", "--method", "int4-weight", "--target-bits-per-weight", "lots",
                "--calibration", calibration, fixture("digits_mlp.onnx"), "-o", out.toString());
        CliRun belowInt4 = cli("quantize", "--method", "int4-weight", "--target-bits-per-weight", "4",
                "--calibration", calibration, fixture("digits_mlp.onnx"), "-o", out.toString());

        assertThat(otherMethod.exitCode()).isEqualTo(2);
        assertThat(otherMethod.err()).contains("--target-bits-per-weight does not apply to int8-weight");
        assertThat(noCalibration.exitCode()).isEqualTo(2);
        assertThat(noCalibration.err()).contains("--target-bits-per-weight", "--calibration");
        assertThat(notANumber.exitCode()).isEqualTo(2);
        assertThat(notANumber.err()).contains("--target-bits-per-weight is the most bits per weight the model may store");
        assertThat(belowInt4.exitCode()).isEqualTo(2);
        assertThat(belowInt4.err()).contains("--target-bits-per-weight", "below what the cheapest mix takes")
                .doesNotContain("Exception");
        assertThat(out).doesNotExist();
    }

    @Test
    void badInputExitsWithTwoAndLeavesNoOutput() throws Exception {
        Path out = dir.resolve("never.onnx");

        CliRun unknownNode = cli("quantize", "--method", "int8-dynamic", "--exclude-nodes", "no_such_node",
                fixture("digits_mlp.onnx"), "-o", out.toString());
        assertThat(unknownNode.exitCode()).isEqualTo(2);
        assertThat(unknownNode.err()).contains("no_such_node");

        Path text = Files.writeString(dir.resolve("model.onnx"), "not a model at all");
        CliRun notOnnx = cli("quantize", "--method", "fp16", text.toString(), "-o", out.toString());
        assertThat(notOnnx.exitCode()).isEqualTo(2);

        CliRun wrongShape = cli("quantize", "--method", "int8-static",
                "--calibration", "input=" + fixture("digits_calib_x_img.npy"), fixture("digits_mlp.onnx"),
                "-o", out.toString());
        assertThat(wrongShape.exitCode()).isEqualTo(2);
        assertThat(wrongShape.err()).contains("input");

        CliRun noCalibration = cli("quantize", "--method", "int8-static", fixture("digits_mlp.onnx"), "-o", out.toString());
        assertThat(noCalibration.exitCode()).isEqualTo(2);
        assertThat(noCalibration.err()).contains("--calibration");

        CliRun badBlock = cli("quantize", "--method", "int4-weight", "--block-size", "48", fixture("digits_mlp.onnx"),
                "-o", out.toString());
        assertThat(badBlock.exitCode()).isEqualTo(2);
        assertThat(badBlock.err()).contains("power of two");

        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.onnx");
        }
    }
}
