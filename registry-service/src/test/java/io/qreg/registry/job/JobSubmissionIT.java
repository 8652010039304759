package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

/** What the registry can tell is wrong with a job is refused at submit, naming the field to blame. */
class JobSubmissionIT extends JobTestSupport {

    @Test
    void aCalibrationDatasetWhoseInputNamesDifferFromTheCheckpointsIsRefusedWith422() {
        String pixels = unique("pixels-calib");
        ok(admin().upload("/api/v1/datasets", Map.of("name", pixels, "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "pixels.npy"), 201);
        HttpApi.Reply reply = userWith("ENGINEER").post("/api/v1/jobs",
                quantizeRequest("calibrationDataset", Map.of("name", pixels, "version", 1)));
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().get("field").asString()).isEqualTo("calibrationDataset");
        assertThat(reply.json().get("detail").asString()).contains("[pixels]", "[input]");
    }

    @Test
    void anEvaluationDatasetWithoutLabelsForAClassifierIsRefusedWith422() {
        String unlabeled = unique("unlabeled-eval");
        ok(admin().upload("/api/v1/datasets", Map.of("name", unlabeled, "purpose", "evaluation"),
                Fixtures.bytes("digits_eval_x.npy"), "input.npy"), 201);
        HttpApi.Reply reply = userWith("ENGINEER").post("/api/v1/jobs", quantizeRequest("followUps",
                List.of(Map.of("type", "EVALUATE", "dataset", Map.of("name", unlabeled, "version", 1)))));
        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().get("field").asString()).isEqualTo("followUps[0].dataset");
        assertThat(reply.json().get("detail").asString()).contains("no labels", "classification");
    }

    @Test
    void referencesAndPurposesAreCheckedAtSubmit() {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();

        HttpApi.Reply unknownCheckpoint = engineer.post("/api/v1/jobs",
                quantizeRequest("checkpointId", UUID.randomUUID().toString()));
        assertThat(unknownCheckpoint.status()).isEqualTo(404);
        assertThat(unknownCheckpoint.json().get("field").asString()).isEqualTo("checkpointId");

        HttpApi.Reply unknownRecipe = engineer.post("/api/v1/jobs",
                quantizeRequest("recipe", Map.of("name", r.recipe(), "version", 99)));
        assertThat(unknownRecipe.status()).isEqualTo(404);
        assertThat(unknownRecipe.json().get("field").asString()).isEqualTo("recipe");

        HttpApi.Reply wrongPurpose = engineer.post("/api/v1/jobs",
                quantizeRequest("calibrationDataset", Map.of("name", r.evaluation(), "version", 1)));
        assertThat(wrongPurpose.status()).isEqualTo(400);
        assertThat(wrongPurpose.json().get("field").asString()).isEqualTo("calibrationDataset");

        String staticRecipe = unique("static");
        ok(admin().post("/api/v1/recipes", Map.of("name", staticRecipe, "method", "int8-static",
                "calibrationMethod", "minmax")), 201);
        HttpApi.Reply noCalibration = engineer.post("/api/v1/jobs",
                quantizeRequest("recipe", Map.of("name", staticRecipe, "version", 1)));
        assertThat(noCalibration.status()).isEqualTo(400);
        assertThat(noCalibration.json().get("field").asString()).isEqualTo("calibrationDataset");

        HttpApi.Reply unknownTarget = engineer.post("/api/v1/jobs", quantizeRequest("hardwareTarget", "nope"));
        assertThat(unknownTarget.status()).isEqualTo(404);
        assertThat(unknownTarget.json().get("field").asString()).isEqualTo("hardwareTarget");

        HttpApi.Reply unknownVariant = engineer.post("/api/v1/jobs",
                Map.of("type", "BENCHMARK", "variantId", UUID.randomUUID().toString()));
        assertThat(unknownVariant.status()).isEqualTo(404);
        assertThat(unknownVariant.json().get("field").asString()).isEqualTo("variantId");

        HttpApi.Reply accepted = ok(engineer.post("/api/v1/jobs", quantizeRequest()), 202);
        JsonNodeAssert.hasFields(accepted.json(), "id", "type", "status", "progress", "attempts", "maxAttempts",
                "variantId", "followUpJobIds", "parentJobId", "error", "hardwareTarget", "workerId", "message",
                "createdAt", "startedAt", "finishedAt");
        assertThat(accepted.json().get("hardwareTarget").asString()).isEqualTo("any");
        assertThat(accepted.json().get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(engineer.get("/api/v1/jobs?status=QUEUED&type=QUANTIZE").json().get("items").toString())
                .contains(accepted.json().get("id").asString());
    }

    /** Field presence, null or not: the wire names clients rely on. */
    private static final class JsonNodeAssert {
        static void hasFields(tools.jackson.databind.JsonNode node, String... names) {
            for (String name : names) {
                assertThat(node.has(name)).as("field %s in %s", name, node).isTrue();
            }
        }
    }
}
