package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.classification;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The model page and its comparison as a browser without JavaScript sees them (every figure of
 * the chart is also in the table and in the embedded JSON), and the engineer's forms: shown to
 * engineers, refused by the server to everyone else.
 */
class ModelPortalIT extends IntegrationTest {

    private static final Pattern CHART_DATA = Pattern.compile(
            "<script type=\"application/json\" id=\"variant-chart-data\">(.*?)</script>", Pattern.DOTALL);

    @Test
    void anEmbeddingModelsVariantsAreRankedByTheirRecallAt10Change() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        String model = maker.model(engineer, "embedding", "standard");
        String int8 = maker.evaluatedVariant(engineer, model, "int8-dynamic", Map.of("metrics", Map.of("recall10",
                0.93, "meanCosine", 0.998, "cosineP1", 0.99, "neighbourOverlap10", 0.95), "referenceMetrics",
                Map.of("recall10", 0.95), "deltas", Map.of("recall10", -0.02), "samples", 120));

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        String html = viewer.get("/models/" + model).body();
        assertThat(html).contains("Recall@10 change (pp)", "\u22122.00 pp");
        assertThat(viewer.get("/variants/" + int8).body()).contains("neighbourOverlap10", "0.9500", "meanCosine",
                "cosineP1");
    }

    @Test
    void theModelPageListsEveryVariantWithTheChartsFiguresAndComparesTwo() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        String model = maker.model(engineer, "classification", "standard");
        String target = maker.hardwareTarget("laptop");
        String int8 = maker.evaluatedVariant(engineer, model, "int8-dynamic", classification(0.95, 0.96, 0.97));
        maker.benchmark(engineer, int8, target, 2.5, 1.0, 1_000_000);
        String fp16 = maker.evaluatedVariant(engineer, model, "fp16", classification(0.90, 0.96, 0.80));
        maker.benchmark(engineer, fp16, target, 1.25, 2.0, 2_000_000);
        String int4 = maker.quantize(engineer, model, "int4-weight"); // never measured: listed, not plotted

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var page = viewer.get("/models/" + model);
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("/variants/" + int8, "/variants/" + fp16, "/variants/" + int4)
                .contains("int8-dynamic", "fp16", "int4-weight")
                .contains("\u22121.00 pp", "\u22126.00 pp", "not evaluated")
                .contains("2.50×", "1.25×", "Speed-up", target)
                .contains(">passed<", ">failed<", "maxAccuracyDrop")
                .contains("name=\"v\"", "Compare two selected variants")
                .doesNotContain("Upload checkpoint", "Start quantization");

        Matcher data = CHART_DATA.matcher(html);
        assertThat(data.find()).as("the chart's figures are embedded as JSON").isTrue();
        JsonNode chart = HttpApi.JSON.readTree(data.group(1));
        assertThat(chart.get("points")).hasSize(2);
        assertThat(chart.get("unplotted").asInt()).isEqualTo(1);
        JsonNode first = chart.get("points").get(0);
        assertThat(first.get("url").asString()).startsWith("/variants/");
        assertThat(chart.get("targets").get(0).asString()).isEqualTo(target);

        var redirect = viewer.get("/models/" + model + "/compare?v=" + int8 + "&v=" + fp16);
        assertThat(redirect.statusCode()).isEqualTo(302);
        String location = redirect.headers().firstValue("Location").orElseThrow();
        assertThat(location).endsWith("/models/" + model + "/compare?a=" + int8 + "&b=" + fp16);
        var compare = viewer.get("/models/" + model + "/compare?a=" + int8 + "&b=" + fp16);
        assertThat(compare.statusCode()).isEqualTo(200);
        assertThat(compare.body()).contains("Benchmark on " + target, "Latency p99", "Speed-up", "accuracy",
                "qreg-tone-worse", ">worse<", "qreg-tone-better", ">better<", "Bits per weight");

        var one = viewer.get("/models/" + model + "/compare?v=" + int8);
        assertThat(one.statusCode()).isEqualTo(400);
        assertThat(one.body()).contains("Choose exactly two different variants");
        String other = maker.model(engineer, "classification", "standard");
        assertThat(viewer.get("/models/" + other + "/compare?a=" + int8 + "&b=" + fp16).statusCode())
                .as("variants of another model").isEqualTo(404);
    }

    @Test
    void engineersUploadAndQuantizeThroughTheFormsAndTheServerRefusesViewers() throws Exception {
        String model = unique("forms");
        admin().post("/api/v1/models", Map.of("name", model, "task", "classification"));
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");

        FormSession engineer = FormSession.signedIn(port, FormSession.person(admin(), "ENGINEER"));
        var empty = engineer.get("/models/" + model);
        assertThat(empty.body()).contains("Upload checkpoint", "Upload a checkpoint first", "for=\"upload-file\"");
        String token = engineer.token();

        var uploaded = engineer.postMultipart("/models/" + model + "/checkpoints?_csrf=" + token,
                Map.of("version", "1.0.0", "license", "MIT", "redistribution", "allowed", "sourceUri", ""), onnx,
                "digits_mlp.onnx");
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(302);
        var withCheckpoint = engineer.get("/models/" + model);
        assertThat(withCheckpoint.body()).contains("Checkpoint 1.0.0 uploaded", Fixtures.sha256(onnx),
                "Start quantization");

        var duplicate = engineer.postMultipart("/models/" + model + "/checkpoints?_csrf=" + engineer.token(),
                Map.of("version", "1.0.0", "license", "MIT"), onnx, "digits_mlp.onnx");
        assertThat(duplicate.statusCode()).isEqualTo(409);
        assertThat(duplicate.body()).contains("already has a checkpoint version", "value=\"1.0.0\"");
        var noToken = engineer.postMultipart("/models/" + model + "/checkpoints",
                Map.of("version", "2.0.0", "license", "MIT"), onnx, "digits_mlp.onnx");
        assertThat(noToken.statusCode()).isEqualTo(403);

        String checkpointId = admin().get("/api/v1/models/" + model + "/checkpoints").json().get("items").get(0)
                .get("id").asString();
        var download = engineer.getBytes("/checkpoints/" + checkpointId + "/download");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(Fixtures.sha256(download.body())).isEqualTo(Fixtures.sha256(onnx));
        assertThat(download.headers().firstValue("ETag").orElseThrow()).contains(Fixtures.sha256(onnx));

        var missing = engineer.postForm("/models/" + model + "/quantize", Map.of("_csrf", engineer.token(),
                "checkpointId", "", "method", "fp16"));
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("choose the checkpoint to quantize");

        var started = engineer.postForm("/models/" + model + "/quantize", Map.of("_csrf", engineer.token(),
                "checkpointId", checkpointId, "recipe", "", "method", "fp16", "hardwareTarget", "any",
                "benchmark", "true"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(302);
        String jobPath = started.headers().firstValue("Location").orElseThrow();
        assertThat(jobPath).contains("/jobs/");
        JsonNode job = admin().get("/api/v1/jobs/" + jobPath.substring(jobPath.lastIndexOf('/') + 1)).json();
        assertThat(job.get("recipe").get("name").asString()).isEqualTo(model + "-fp16");
        assertThat(job.get("followUps").get(0).get("type").asString()).isEqualTo("BENCHMARK");
        assertThat(engineer.get(jobPath.replaceFirst("^https?://[^/]+", "")).body()).contains("QUEUED");

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var readOnly = viewer.get("/models/" + model);
        assertThat(readOnly.body()).contains("1.0.0").doesNotContain("Upload checkpoint", "Start quantization");
        String viewerToken = viewer.token();
        assertThat(viewer.postForm("/models/" + model + "/quantize", Map.of("_csrf", viewerToken,
                "checkpointId", checkpointId, "method", "fp16")).statusCode()).isEqualTo(403);
        assertThat(viewer.postMultipart("/models/" + model + "/checkpoints?_csrf=" + viewerToken,
                Map.of("version", "3.0.0", "license", "MIT"), onnx, "digits_mlp.onnx").statusCode()).isEqualTo(403);
        assertThat(admin().get("/api/v1/models/" + model + "/checkpoints").json().get("items")).hasSize(1);
    }

    @Test
    void anUnknownModelIsAnErrorPage() throws Exception {
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var missing = viewer.get("/models/" + unique("nope"));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("There is nothing at this address");
    }
}
