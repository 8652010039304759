package io.qreg.worker.cli;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class QuantizerCliTest {

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private static String fixture(String name) {
        return path(name).toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void evaluateClassificationJsonIsOneObjectWithTheReadmeAccuracy() {
        CliRun run = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x.npy"),
                "--labels", fixture("digits_eval_y.npy"), "--batch-size", "100", "--json", fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().strip().lines()).hasSize(1);
        Map<String, Object> json = run.json();
        assertThat(json).containsEntry("command", "evaluate").containsEntry("task", "classification")
                .containsEntry("samples", 500L);
        assertThat((Double) map(json.get("metrics")).get("accuracy")).isCloseTo(0.978, within(0.0005));
        assertThat(map(json.get("deltas"))).isEmpty();
        assertThat(run.err()).isEmpty(); // no progress bar when stderr is not a terminal and --progress is absent
    }

    @Test
    void evaluateLanguageModelAgainstItselfReportsAPerfectSqnrAsNullWithANoteAndZeroDeltasInJson() {
        CliRun run = cli("evaluate", "--task", "language-model",
                "--input", "input_ids=" + fixture("bytelm_small_eval_ids.npy"),
                "--labels", fixture("bytelm_small_eval_labels.npy"), "--reference", fixture("bytelm_small.onnx"),
                "--batch-size", "50", "--json", fixture("bytelm_small.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> metrics = map(run.json().get("metrics"));
        assertThat((Double) metrics.get("perplexity")).isCloseTo(6.12, within(0.005));
        assertThat((Double) metrics.get("nextTokenAccuracy")).isCloseTo(0.526, within(0.0005));
        assertThat(metrics.get("top1Agreement")).isEqualTo(1.0);
        // Identical outputs: SQNR +Infinity, which JSON has no number for; never the string "Infinity".
        assertThat(metrics).containsEntry("sqnrDb", null)
                .containsEntry("sqnrDbNote", "identical outputs: no quantization noise (SQNR +Infinity dB)");
        assertThat(run.out()).doesNotContain("Infinity\"", "NaN");
        assertThat(metrics.get("maxAbsError")).isEqualTo(0.0);
        assertThat(map(run.json().get("deltas"))).containsEntry("perplexity", 0.0).containsEntry("nextTokenAccuracy", 0.0);
    }

    @Test
    void evaluateWithSlicesPrintsAnAlignedSummaryWithASliceTable(@TempDir Path dir) throws Exception {
        long[] ids = new long[500];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i < 100 ? 1 : 0;
        }
        Path slices = dir.resolve("slices.npy");
        try (OutputStream out = Files.newOutputStream(slices)) {
            NpyWriter.write(out, NpyArray.ofLongs(ids, 500));
        }

        CliRun run = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x_img.npy"),
                "--labels", fixture("digits_eval_y.npy"), "--slices", slices.toString(),
                "--reference", fixture("digits_cnn.onnx"), fixture("digits_cnn.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("accuracy", "0.9860", "+0.0000", "top1Agreement", "Infinity");
        List<String> sliceLines = run.out().lines().dropWhile(l -> !l.startsWith("slice")).toList();
        assertThat(sliceLines).hasSize(3);
        assertThat(sliceLines.get(1)).startsWith("    0      400");
        assertThat(sliceLines.get(2)).startsWith("    1      100");
    }

    @Test
    void evaluateSliceJsonCarriesSampleCounts(@TempDir Path dir) throws Exception {
        Path slices = dir.resolve("s.npy");
        long[] ids = new long[500];
        ids[0] = 9;
        try (OutputStream out = Files.newOutputStream(slices)) {
            NpyWriter.write(out, NpyArray.ofLongs(ids, 500));
        }

        CliRun run = cli("evaluate", "--task=classification", "--input=input=" + fixture("digits_eval_x.npy"),
                "--labels", fixture("digits_eval_y.npy"), "--slices", slices.toString(), "--json",
                fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> sliceMap = map(run.json().get("slices"));
        assertThat(sliceMap).containsOnlyKeys("0", "9");
        assertThat(map(sliceMap.get("9")).get("samples")).isEqualTo(1L);
        assertThat(map(sliceMap.get("0")).get("samples")).isEqualTo(499L);
    }

    @Test
    void benchmarkJsonComparesTwoModelsWithSpeedupAndPercentiles() {
        CliRun run = cli("benchmark", "--batch", "2", "--threads", "1", "--iterations", "8", "--warmup", "1", "--json",
                fixture("digits_mlp.onnx"), fixture("digits_cnn.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = run.json();
        assertThat(json).containsEntry("command", "benchmark").containsEntry("interleaved", true)
                .containsEntry("noisyCvThreshold", 0.2);
        List<?> results = (List<?>) json.get("results");
        assertThat(results).hasSize(2);
        Map<String, Object> first = map(results.get(0));
        assertThat(first).containsKeys("loadTimeMs", "latencyP50Ms", "latencyP90Ms", "latencyP99Ms", "latencyMeanMs",
                "throughput", "cv", "noisy", "rssDeltaBytes").containsEntry("speedup", 1.0).containsEntry("batch", 2L);
        assertThat((Double) map(results.get(1)).get("speedup")).isPositive();
    }

    @Test
    void benchmarkConcurrencyRunsCallersAtOnceAndIsRecorded() {
        CliRun run = cli("benchmark", "--concurrency", "3", "--threads", "1", "--iterations", "7", "--warmup", "1",
                "--json", fixture("digits_mlp.onnx"), fixture("digits_cnn.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = run.json();
        assertThat(json).containsEntry("concurrency", 3L).containsEntry("iterations", 7L);
        List<?> results = (List<?>) json.get("results");
        assertThat(results).hasSize(2).allSatisfy(r -> {
            assertThat((Double) map(r).get("latencyP50Ms")).isPositive();
            assertThat((Double) map(r).get("throughput")).isPositive();
        });
        CliRun table = cli("benchmark", "--concurrency", "2", "--iterations", "3", "--warmup", "0",
                fixture("digits_mlp.onnx"));
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains("2 concurrent callers", "digits_mlp.onnx");
        assertThat(cli("benchmark", "--concurrency", "0", fixture("digits_mlp.onnx")).exitCode()).isEqualTo(2);
        assertThat(cli("help", "benchmark").out()).contains("--concurrency");
    }

    @Test
    void benchmarkTableNamesEveryModelAndTheMemorySource() {
        CliRun run = cli("benchmark", "--iterations", "3", "--warmup", "0", "--seq-len", "16",
                fixture("bytelm_small.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("bytelm_small.onnx", "p50 ms", "speed-up", "1.00x", "VmHWM");
    }

    @Test
    void progressBarGoesToStderrOnlyAndLeavesJsonClean() {
        CliRun run = cli("benchmark", "--iterations", "3", "--warmup", "0", "--progress", "--json",
                fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).contains("100%", "3/3");
        assertThat(run.json()).containsKey("results");
    }

    @Test
    void unknownOptionIsBadUsage() {
        CliRun run = cli("benchmark", "--iteratons", "3", fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("unknown option '--iteratons'");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingModelFileIsBadUsage() {
        CliRun run = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x.npy"),
                "--labels", fixture("digits_eval_y.npy"), "no/such/model.onnx");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("file not found: no/such/model.onnx");
    }

    @Test
    void missingLabelsFileIsBadUsage() {
        CliRun run = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x.npy"),
                "--labels", "missing_labels.npy", fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("missing_labels.npy", "--labels");
    }

    @Test
    void inputShapeMismatchIsBadInputNamingBothShapes() {
        CliRun run = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x_img.npy"),
                "--labels", fixture("digits_eval_y.npy"), "--json", fixture("digits_mlp.onnx"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("input 'input'", "[500, 1, 8, 8]", "64]");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void fileThatIsNotAnOnnxModelIsBadInput() {
        CliRun run = cli("benchmark", "--iterations", "1", fixture("digits_eval_y.npy"));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("cannot load", "digits_eval_y.npy");
    }

    @Test
    void unknownTaskAndMissingRequiredOptionsAreBadUsage() {
        assertThat(cli("evaluate", "--task", "regression", "--input", "input=" + fixture("digits_eval_x.npy"),
                "--labels", fixture("digits_eval_y.npy"), fixture("digits_mlp.onnx")).exitCode()).isEqualTo(2);
        CliRun noLabels = cli("evaluate", "--task", "classification", "--input", "input=" + fixture("digits_eval_x.npy"),
                fixture("digits_mlp.onnx"));
        assertThat(noLabels.exitCode()).isEqualTo(2);
        assertThat(noLabels.err()).contains("missing required option --labels");
    }

    @Test
    void helpListsCommandsAndExitCodes() {
        CliRun run = cli("help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("quantize", "evaluate", "benchmark", "exit codes", "0  success",
                "1  internal failure", "2  bad usage");
        assertThat(cli("--help").out()).isEqualTo(run.out());
        assertThat(cli("quantize", "--method", "fp16").exitCode()).isEqualTo(2);
        assertThat(cli().exitCode()).isEqualTo(2);
    }

    @Test
    void commandHelpShowsItsUsage() {
        assertThat(cli("evaluate", "--help").out()).contains("--task classification|language-model", "--reference");
        assertThat(cli("help", "benchmark").out()).contains("--iterations", "interleaved", "0.20");
    }

    @Test
    void versionNamesOnnxRuntime() {
        CliRun run = cli("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("quantizer-worker ").contains("ONNX Runtime 1.");
    }
}
