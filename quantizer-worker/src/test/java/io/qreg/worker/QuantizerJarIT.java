package io.qreg.worker;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI exactly as ARCHITECTURE.md writes it: {@code java -jar
 * quantizer-worker/target/quantizer-worker.jar ...} in its own JVM, with nothing else on the classpath.
 */
class QuantizerJarIT {

    private static final Path JAR = Path.of("target", "quantizer-worker.jar").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run java(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).as("the CLI finishes").isTrue();
        return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void quantizeEvaluateAndBenchmarkRunFromTheJar() throws Exception {
        assertThat(JAR).as("built by the package phase").exists();
        Path int8 = dir.resolve("bytelm-int8.onnx");

        Run quantize = java("quantize", "--method", "int8-dynamic", path("bytelm_small.onnx").toString(),
                "-o", int8.toString());
        assertThat(quantize.exitCode()).as(quantize.err()).isZero();
        assertThat(quantize.out()).contains("(int8-dynamic · 10 of 10 layers · 8.0 bits/weight)", "quantized");

        Run evaluate = java("evaluate", "--task", "language-model",
                "--input", "input_ids=" + path("bytelm_small_eval_ids.npy"),
                "--labels", path("bytelm_small_eval_labels.npy").toString(),
                "--reference", path("bytelm_small.onnx").toString(), "--json", int8.toString());
        assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
        assertThat(evaluate.out().trim()).startsWith("{").endsWith("}").contains("\"perplexity\"", "\"top1Agreement\"");

        Run benchmark = java("benchmark", "--iterations", "5", "--warmup", "1", "--threads", "1",
                path("bytelm_small.onnx").toString(), int8.toString());
        assertThat(benchmark.exitCode()).as(benchmark.err()).isZero();
        assertThat(benchmark.out()).contains("bytelm-int8.onnx");
    }

    @Test
    void badInputExitsWithTwo() throws Exception {
        Path notOnnx = Files.writeString(dir.resolve("notes.onnx"), "plain text");
        Run run = java("quantize", "--method", "fp16", notOnnx.toString(), "-o", dir.resolve("out.onnx").toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(dir.resolve("out.onnx")).doesNotExist();
    }
}
