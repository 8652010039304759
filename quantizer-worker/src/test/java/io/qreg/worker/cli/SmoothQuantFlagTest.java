package io.qreg.worker.cli;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.worker.json.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code quantize --smooth-quant ALPHA|auto}: int8-static only, α from 0 to 1. */
class SmoothQuantFlagTest {

    @TempDir
    Path dir;

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private CliRun staticRun(Path out, String alpha) {
        return cli("quantize", "--method", "int8-static", "--calibration",
                "input=" + path("digits_calib_x.npy"), "--smooth-quant", alpha, "--json", path("digits_mlp.onnx").toString(),
                "-o", out.toString());
    }

    @Test
    void int8StaticWithSmoothQuantReportsTheAlphaAndWhatWasSmoothed() throws Exception {
        Path out = dir.resolve("smooth.onnx");
        CliRun run = staticRun(out, "0.5");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> report = Json.parseObject(run.out());
        assertThat(((Map<?, ?>) report.get("options")).get("smoothQuantAlpha")).isEqualTo(0.5);
        assertThat((List<?>) report.get("notes")).anyMatch(n -> n.toString().startsWith("SmoothQuant alpha 0.50"
                + " smoothed 3 MatMul/Gemm layers"));
        assertThat(out).exists();
    }

    @Test
    void smoothQuantWithAnotherMethodIsRefusedNamingTheFlagAndWritesNothing() {
        Path out = dir.resolve("dynamic.onnx");
        CliRun run = cli("quantize", "--method", "int8-dynamic", "--smooth-quant", "0.5", path("digits_mlp.onnx").toString(),
                "-o", out.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(run.err()).contains("--smooth-quant does not apply to int8-dynamic").doesNotContain("Exception");
        assertThat(out).doesNotExist();
    }

    @Test
    void anAlphaOutsideZeroToOneOrNotANumberIsRefused() {
        Path out = dir.resolve("static.onnx");
        CliRun above = staticRun(out, "1.5");
        CliRun word = staticRun(out, "strong");
        CliRun negative = staticRun(out, "-0.1");

        assertThat(above.exitCode()).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(above.err()).contains("--smooth-quant is the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on the calibration data, got 1.5");
        assertThat(word.exitCode()).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(word.err()).contains("--smooth-quant is the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on the calibration data, got 'strong'");
        assertThat(negative.exitCode()).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(out).doesNotExist();
    }
}
