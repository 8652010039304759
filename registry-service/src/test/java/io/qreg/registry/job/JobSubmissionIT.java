package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

/**
 * Requests that name nothing real are refused at submit, naming the field to blame; jobs whose inputs
 * do not fit the model are recorded but FAILED at once, attempt-free, with the reason, and never retried.
 */
class JobSubmissionIT extends JobTestSupport {

    @Test
    void aCalibrationDatasetWhoseInputNamesDifferFromTheCheckpointsFailsTheJobAtOnce() {
        String pixels = dataset("pixels-calib", "calibration", Fixtures.bytes("digits_calib_x.npy"), "pixels.npy");
        HttpApi engineer = userWith("ENGINEER");
        HttpApi.Reply reply = ok(engineer.post("/api/v1/jobs",
                quantizeRequest("calibrationDataset", Map.of("name", pixels, "version", 1))), 202);

        assertFailedAtOnce(engineer, reply, "calibrationDataset: dataset " + pixels + "@1 has inputs [pixels]",
                "takes [input]");
    }

    @Test
    void anEvaluationDatasetWithoutLabelsForAClassifierFailsTheJobAtOnce() {
        String unlabeled = dataset("unlabeled-eval", "evaluation", Fixtures.bytes("digits_eval_x.npy"), "input.npy");
        HttpApi engineer = userWith("ENGINEER");

        HttpApi.Reply withFollowUp = ok(engineer.post("/api/v1/jobs", quantizeRequest("followUps",
                List.of(Map.of("type", "EVALUATE", "dataset", Map.of("name", unlabeled, "version", 1))))), 202);
        assertFailedAtOnce(engineer, withFollowUp, "followUps[0].dataset: dataset " + unlabeled + "@1 has no labels",
                "classification");

        String variantId = producedVariant(engineer);
        HttpApi.Reply evaluate = ok(engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE", "variantId", variantId,
                "dataset", Map.of("name", unlabeled, "version", 1))), 202);
        assertFailedAtOnce(engineer, evaluate, "dataset: dataset " + unlabeled + "@1 has no labels");
    }

    private void assertFailedAtOnce(HttpApi engineer, HttpApi.Reply submitted, String... reason) {
        assertThat(submitted.json().get("status").asString()).isEqualTo("FAILED");
        assertThat(submitted.json().get("attempts").asInt()).isZero();
        assertThat(submitted.json().get("error").asString()).contains(reason);
        String id = submitted.json().get("id").asString();
        TestWorker idle = newWorker();
        HttpApi.Reply claim = idle.claim("0s");
        assertThat(claim.body()).doesNotContain(id);
        var stored = engineer.get("/api/v1/jobs/" + id).json();
        assertThat(stored.get("status").asString()).isEqualTo("FAILED");
        assertThat(stored.get("attempts").asInt()).isZero();
        assertThat(stored.get("followUpJobIds").size()).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'job.failed' and subject_id = ?",
                Integer.class, id)).isEqualTo(1);
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
