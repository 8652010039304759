package io.qreg.worker.cli;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.worker.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize --algorithm}: GPTQ through the CLI, and every refusal of an algorithm option that cannot apply. */
class QuantizeAlgorithmCliTest {

    @TempDir
    Path dir;

    private static CliRun cli(List<String> args) {
        return CliRun.of(args);
    }

    @Test
    void gptqWithActOrderQuantizesAndTheReportNamesTheAlgorithm() throws Exception {
        Path out = dir.resolve("gptq.onnx");
        CliRun run = cli(List.of("quantize", "--method", "int4-weight", "--algorithm", "gptq", "--gptq-damp", "0.02",
                "--act-order", "--symmetric", "--calibration", "input=" + path("digits_calib_x.npy"), "--json",
                path("digits_mlp.onnx").toString(), "-o", out.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> report = Json.parseObject(run.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) report.get("options");
        assertThat(options).containsEntry("algorithm", "gptq").containsEntry("gptqDamp", 0.02)
                .containsEntry("actOrder", true);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) report.get("layers");
        assertThat(layers).filteredOn(l -> "QUANTIZED".equals(l.get("status")) && "Gemm".equals(l.get("opType")))
                .hasSize(3).allSatisfy(l -> assertThat((String) l.get("detail"))
                        .startsWith("int4 block 32 symmetric, GPTQ"));
    }

    @Test
    void gptqWithABitsTargetWritesTheMixWithGptq() throws Exception {
        Path out = dir.resolve("mixed.onnx");
        CliRun run = cli(List.of("quantize", "--method", "int4-weight", "--algorithm", "gptq", "--symmetric",
                "--target-bits-per-weight", "6", "--calibration", "input=" + path("digits_calib_x.npy"), "--json",
                path("digits_mlp.onnx").toString(), "-o", out.toString()));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> report = Json.parseObject(run.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) report.get("options");
        assertThat(options).containsEntry("algorithm", "gptq").containsEntry("targetBitsPerWeight", 6.0);
        @SuppressWarnings("unchecked")
        Map<String, Object> mix = (Map<String, Object>) report.get("precisionMix");
        assertThat(((Number) mix.get("bitsPerWeight")).doubleValue()).isLessThanOrEqualTo(6.0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) report.get("layers");
        assertThat(layers).filteredOn(l -> "QUANTIZED".equals(l.get("status")) && "Gemm".equals(l.get("opType")))
                .isNotEmpty().allSatisfy(l -> assertThat((String) l.get("detail")).startsWith("mixed precision: int")
                        .contains("symmetric, GPTQ"));
    }

    @Test
    void algorithmOptionsThatCannotApplyAreRefusedNamingTheFlag() {
        String calibration = "input=" + path("digits_calib_x.npy");
        String[][] cases = {
            {"--algorithm does not apply to int8-dynamic", "--method", "int8-dynamic", "--algorithm", "gptq"},
            {"--algorithm does not apply to fp16", "--method", "fp16", "--algorithm", "rtn"},
            {"--gptq-damp applies only with --algorithm gptq, not rtn", "--method", "int4-weight", "--gptq-damp",
                "0.05"},
            {"--act-order applies only with --algorithm gptq, not hqq", "--method", "int4-weight", "--algorithm",
                "hqq", "--act-order"},
            {"--act-order does not apply to int8-static", "--method", "int8-static", "--calibration", calibration,
                "--act-order"},
            {"gptq reads the activations each layer sees: it needs --calibration", "--method", "int4-weight",
                "--algorithm", "gptq"},
            {"awq reads the activations each layer sees: it needs --calibration", "--method", "int8-weight",
                "--algorithm", "awq"},
            {"--algorithm: unknown algorithm 'obq'", "--method", "int4-weight", "--algorithm", "obq"},
            {"--gptq-damp is the Hessian dampening as a fraction of its mean diagonal, above 0 and below 1", "--method", "int4-weight", "--algorithm", "gptq",
                "--calibration", calibration, "--gptq-damp", "1.5"},
            {"hqq with zero points needs int4-weight", "--method", "int8-weight", "--algorithm", "hqq",
                "--asymmetric"},
            {"--target-bits-per-weight with --algorithm hqq needs --symmetric", "--method", "int4-weight",
                "--algorithm", "hqq", "--target-bits-per-weight", "5.5", "--calibration", calibration},
        };
        Path out = dir.resolve("refused.onnx");
        for (String[] c : cases) {
            List<String> argv = new ArrayList<>(List.of("quantize"));
            argv.addAll(List.of(c).subList(1, c.length));
            argv.addAll(List.of(path("digits_mlp.onnx").toString(), "-o", out.toString()));

            CliRun run = cli(argv);

            assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
            assertThat(run.err()).as(String.join(" ", argv)).contains(c[0]);
            assertThat(run.err()).doesNotContain("\tat ");
            assertThat(out).doesNotExist();
        }
    }
}
