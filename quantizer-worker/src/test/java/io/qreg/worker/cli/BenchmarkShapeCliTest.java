package io.qreg.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.bench.ShapeModels;
import io.qreg.worker.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code benchmark} on models that do not say their input shapes: exit 2 with what to set, never a stack trace. */
class BenchmarkShapeCliTest {

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run cli(QuantizerCli cli, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = cli.execute(List.of(args), new CliContext(o, e, false));
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Run cli(String... args) {
        return cli(new QuantizerCli(QuantizerCli.defaultRegistry()), args);
    }

    @Test
    void allSymbolicDimensionsExitWithTwoNamingInputDimensionAndTheFlags() throws Exception {
        Path model = ShapeModels.model(dir, "symbolic.onnx",
                ShapeModels.symbolic("batch", "features"));

        Run run = cli("benchmark", "--iterations", "2", "--warmup", "1", model.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("benchmark: input 'x' dimension 1 ('features') is symbolic; set it with"
                + " --shape x=1xfeatures or --input x=FILE.npy" + System.lineSeparator());
        assertThat(run.out()).isEmpty();
    }

    @Test
    void shapeSetsTheDimensionsAndTheModelIsTimed() throws Exception {
        Path model = ShapeModels.model(dir, "symbolic.onnx",
                ShapeModels.symbolic("batch", "features"));

        Run run = cli("benchmark", "--iterations", "2", "--warmup", "1", "--shape", "x=3x4", "--json",
                model.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) Json.parseObject(run.out()).get("results");
        assertThat(((Number) results.get(0).get("batch")).intValue()).isEqualTo(3);
    }

    @Test
    void anInputWithoutShapeOrAMalformedShapeExitsWithTwoAndNoTrace() throws Exception {
        Path model = ShapeModels.model(dir, "shapeless.onnx", null);

        Run shapeless = cli("benchmark", "--iterations", "2", model.toString());
        Run malformed = cli("benchmark", "--iterations", "2", "--shape", "x=1by4", model.toString());
        Run wrongSize = cli("benchmark", "--iterations", "2", "--shape", "x=1x5", model.toString());

        assertThat(shapeless.exitCode()).isEqualTo(2);
        assertThat(shapeless.err()).startsWith("benchmark: input 'x' has no shape in shapeless.onnx; set it with"
                + " --shape x=");
        assertThat(malformed.exitCode()).isEqualTo(2);
        assertThat(malformed.err()).startsWith("benchmark: --shape x=1by4: every dimension must be a positive whole");
        assertThat(wrongSize.exitCode()).isEqualTo(2);
        assertThat(wrongSize.err()).startsWith("benchmark: ONNX Runtime cannot run shapeless.onnx on inputs [x [1, 5]]");
        for (Run run : List.of(shapeless, malformed, wrongSize)) {
            assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
        }
    }

    @Test
    void anInternalErrorIsOneLineWithoutAStackTrace() {
        Command broken = new Command() {
            @Override
            public String name() {
                return "broken";
            }

            @Override
            public String summary() {
                return "fails with a bug";
            }

            @Override
            public String usage() {
                return "usage: broken";
            }

            @Override
            public int run(List<String> args, CliContext context) {
                throw new IllegalStateException("a bug");
            }
        };
        QuantizerCli cli = new QuantizerCli(new CommandRegistry().register(broken));

        Run run = cli(cli, "broken");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("broken: internal error: java.lang.IllegalStateException: a bug")
                .doesNotContain("\tat ");
        assertThat(run.err().lines().count()).isLessThanOrEqualTo(2);
    }
}
