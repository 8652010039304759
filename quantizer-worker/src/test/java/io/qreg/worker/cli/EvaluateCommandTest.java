package io.qreg.worker.cli;

import io.qreg.engine.eval.EmbeddingModels;
import io.qreg.worker.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code evaluate --task embedding} and the reference comparisons added to the JSON and the summary. */
class EvaluateCommandTest {

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @Test
    void embeddingAgainstAReferenceNeedsNoLabelsAndReportsCosineAndNeighbourOverlap(@TempDir Path dir)
            throws Exception {
        Path model = EmbeddingModels.writeModel(dir.resolve("e.onnx"), 3);
        Path features = EmbeddingModels.writeFeatures(dir.resolve("x.npy"), 20, 5);

        CliRun run = cli("evaluate", "--task", "embedding", "--input", "features=" + features, "--reference",
                model.toString(), "--json", model.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = Json.parseObject(run.out());
        assertThat(json).containsEntry("task", "embedding").containsEntry("samples", 40L);
        assertThat(map(json.get("metrics"))).containsKeys("meanCosine", "cosineP1", "sqnrDb")
                .containsEntry("neighbourOverlap10", 1.0).doesNotContainKey("recall10");
    }

    @Test
    void embeddingWithLabelsPrintsRecallInTheSummary(@TempDir Path dir) throws Exception {
        Path model = EmbeddingModels.writeModel(dir.resolve("e.onnx"), 3);
        Path features = EmbeddingModels.writeFeatures(dir.resolve("x.npy"), 20, 5);
        Path labels = EmbeddingModels.writePairLabels(dir.resolve("y.npy"), 20);

        CliRun run = cli("evaluate", "--task", "embedding", "--input", "features=" + features, "--labels",
                labels.toString(), model.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("task       embedding", "recall10");
    }

    @Test
    void embeddingWithNeitherLabelsNorReferenceIsRefusedAsBadInput(@TempDir Path dir) throws Exception {
        Path model = EmbeddingModels.writeModel(dir.resolve("e.onnx"), 3);
        Path features = EmbeddingModels.writeFeatures(dir.resolve("x.npy"), 20, 5);

        CliRun run = cli("evaluate", "--task", "embedding", "--input", "features=" + features, model.toString());

        assertThat(run.exitCode()).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(run.err()).contains("needs labels").doesNotContain("Exception");
    }

    @Test
    void classificationAgainstAReferenceListsTheFlipRateOfEveryClass() {
        String[] args = {"evaluate", "--task", "classification", "--input",
                "input=" + path("digits_eval_x.npy"), "--labels", path("digits_eval_y.npy").toString(),
                "--reference", path("digits_mlp.onnx").toString(), path("digits_mlp.onnx").toString()};

        CliRun summary = cli(args);
        CliRun json = cli(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of(
                "--json")).toArray(String[]::new));

        assertThat(summary.out()).contains("flipRate", "expectedCalibrationError", "class", "flips");
        Map<String, Object> classes = map(Json.parseObject(json.out()).get("flipRateByClass"));
        assertThat(classes).hasSize(10);
        assertThat(map(classes.get("3"))).containsEntry("flips", 0L).containsEntry("flipRate", 0.0);
        assertThat(map(Json.parseObject(json.out()).get("metrics"))).containsEntry("flipRate", 0.0);
    }

    @Test
    void evaluateJsonCarriesTheSelectiveRoutingCurveAgainstTheReference() {
        CliRun json = cli("evaluate", "--task", "classification", "--input", "input=" + path("digits_eval_x.npy"),
                "--labels", path("digits_eval_y.npy").toString(), "--reference", path("digits_mlp.onnx").toString(),
                "--json", path("digits_mlp.onnx").toString());

        Map<String, Object> curve = map(Json.parseObject(json.out()).get("selectiveRouting"));
        assertThat(curve).containsEntry("confidence", "maxSoftmaxProbability").containsEntry("positions", 500L)
                .containsEntry("disagreements", 0L);
        java.util.List<?> points = (java.util.List<?>) curve.get("points");
        assertThat(points).hasSizeBetween(2, 101);
        // The model against itself never disagrees: every threshold recovers everything there is to recover.
        assertThat(points).allSatisfy(p -> assertThat(map(p)).containsEntry("recovery", 1.0));
        assertThat(map(points.get(points.size() - 1))).containsEntry("traffic", 1.0);
    }
}
