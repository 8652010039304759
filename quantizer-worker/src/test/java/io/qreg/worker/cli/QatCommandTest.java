package io.qreg.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.QatExports;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** {@code quantize --method qat} and the other methods' refusal of a QAT export, through the CLI. */
class QatCommandTest {

    @TempDir
    static Path dir;

    static Path qat;

    @BeforeAll
    static void export() throws Exception {
        qat = QatExports.digitsMlpQat(dir);
    }

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @Test
    void qatImportsTheExportAndSummarizesItsPrecisionMix() {
        Path out = dir.resolve("imported.onnx");
        CliRun run = cli("quantize", "--method", "qat", qat.toString(), "-o", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("(qat · 3 of 3 layers", "int4 ", "int8 ", "3 quantized",
                "note: 3 activation QuantizeLinear/DequantizeLinear pairs kept exactly as trained");
        assertThat(out).exists();
    }

    @ParameterizedTest
    @CsvSource({"--per-channel,", "--asymmetric,", "--block-size,64", "--calibration-method,minmax",
        "--exclude-op-types,Gemm", "--calibration,input=CALIB"})
    void postTrainingFlagsAreRefusedForQatNamingTheFlag(String flag, String value) {
        Path out = dir.resolve("refused.onnx");
        String[] args = value == null
                ? new String[] {"quantize", "--method", "qat", flag, qat.toString(), "-o", out.toString()}
                : new String[] {"quantize", "--method", "qat", flag,
                    value.replace("CALIB", qat.toString()), qat.toString(), "-o", out.toString()};
        CliRun run = cli(args);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains(flag + " does not apply to qat").doesNotContain("Exception");
        assertThat(out).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"int8-dynamic", "int4-weight", "int8-weight", "fp16"})
    void otherMethodsRefuseTheQatExportWithExitTwo(String method) {
        Path out = dir.resolve(method + ".onnx");
        CliRun run = cli("quantize", "--method", method, qat.toString(), "-o", out.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("already quantized; use method qat").doesNotContain("\tat ");
        assertThat(out).doesNotExist();
    }
}
