package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Reproductions over the worker protocol with a test worker, whose bytes the test chooses: the same bytes are
 * "identical", others "differ"; neither makes a variant or keeps the new bytes, and the variant page says
 * "reproduced on <worker> at <time>: identical" (or "differs").
 */
class VariantReproductionPortalIT extends JobTestSupport {

    @Test
    void theSameBytesAreIdenticalOtherBytesDifferAndThePageSaysWhichWhereAndWhen() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        TestWorker worker = newWorker();
        byte[] original = ("variant " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String variant = quantized(engineer, worker, original);
        String workerName = jdbc.queryForObject("select name from worker where id = ?::uuid", String.class, worker.id);
        long variants = jdbc.queryForObject("select count(*) from variant", Long.class);
        long blobs = jdbc.queryForObject("select count(*) from blob", Long.class);
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        assertThat(viewer.get("/variants/" + variant).body()).contains("Reproduced", "not yet");

        JsonNode same = reproduce(engineer, worker, variant, original);
        assertThat(same.get("message").asString()).startsWith("reproduced on " + workerName + " at ")
                .endsWith(": identical");
        assertThat(viewer.get("/variants/" + variant).body()).contains("reproduced on " + workerName + " at ")
                .contains(": identical");

        JsonNode other = reproduce(engineer, worker, variant, "other bytes".getBytes(StandardCharsets.UTF_8));
        assertThat(other.get("message").asString()).contains(": differs", "the new bytes were not kept");
        assertThat(viewer.get("/variants/" + variant).body()).contains(": differs").doesNotContain(": identical");

        JsonNode reproductions = admin().get("/api/v1/variants/" + variant + "/reproductions").json();
        assertThat(reproductions).hasSize(2);
        assertThat(reproductions.get(0).get("identical").asBoolean()).as("newest first").isFalse();
        assertThat(reproductions.get(1).get("identical").asBoolean()).isTrue();
        assertThat(jdbc.queryForObject("select count(*) from variant", Long.class)).isEqualTo(variants);
        assertThat(jdbc.queryForObject("select count(*) from blob", Long.class)).as("no new bytes kept")
                .isEqualTo(blobs);
        assertThat(admin().get("/api/v1/audit?action=variant.reproduced&subjectId=" + variant).json()
                .get("totalItems").asInt()).isEqualTo(2);
    }

    /** A variant of this test's own recipe, made of these bytes. */
    private String quantized(HttpApi engineer, TestWorker worker, byte[] bytes) {
        String recipe = unique("repro");
        ok(admin().post("/api/v1/recipes", Map.of("name", recipe, "method", "int8-dynamic")), 201);
        String jobId = submitQuantize(engineer, "recipe", Map.of("name", recipe, "version", 1));
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        return ok(worker.result(jobId, 1, "SUCCEEDED", Map.of("engineVersion", "0.1.0-SNAPSHOT"), bytes), 200)
                .json().get("variantId").asString();
    }

    /** Queues a reproduction, has the worker claim it and report these bytes; returns the finished job. */
    private JsonNode reproduce(HttpApi engineer, TestWorker worker, String variant, byte[] bytes) {
        JsonNode queued = ok(engineer.post("/api/v1/variants/" + variant + "/reproduce", Map.of()), 202).json();
        assertThat(queued.get("type").asString()).isEqualTo("QUANTIZE");
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(queued.get("id").asString());
        assertThat(claimed.get("recipe").get("name").asString()).as("the variant's own recipe")
                .isEqualTo(admin().get("/api/v1/variants/" + variant).json().get("lineage").get("recipe").get("name")
                        .asString());
        JsonNode reply = ok(worker.result(queued.get("id").asString(), 1, "SUCCEEDED",
                Map.of("engineVersion", "0.1.0-SNAPSHOT"), bytes), 200).json();
        assertThat(reply.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(reply.hasNonNull("variantId")).as("a reproduction makes no variant").isFalse();
        return admin().get("/api/v1/jobs/" + queued.get("id").asString()).json();
    }
}
