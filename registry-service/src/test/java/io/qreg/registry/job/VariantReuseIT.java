package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * One artifact per identical run, over the worker protocol with test workers: a QUANTIZE job with the same
 * checkpoint, recipe version, calibration dataset and engine version as an existing variant returns that variant
 * ({@code reused: true}); {@code "force": true} runs it anyway. Each test uses its own recipe, so no other test's
 * variants match, and its own hardware target, so it decides which workers could run the job.
 */
class VariantReuseIT extends JobTestSupport {

    @Test
    void anIdenticalJobSucceedsAtSubmissionWithTheExistingVariantAndQueuesItsFollowUpsOnIt() {
        HttpApi engineer = userWith("ENGINEER");
        Scene s = scene();
        String first = runToVariant(s, s.request(false), "0.1.0-SNAPSHOT");

        JsonNode again = ok(engineer.post("/api/v1/jobs", s.request(false, "followUps", List.of(Map.of("type",
                "EVALUATE", "dataset", Map.of("name", registered().evaluation(), "version", 1))))), 202).json();

        assertThat(again.get("status").asString()).as(again.toString()).isEqualTo("SUCCEEDED");
        assertThat(again.get("reused").asBoolean()).isTrue();
        assertThat(again.get("variantId").asString()).isEqualTo(first);
        assertThat(again.get("attempts").asInt()).as("no worker ran it").isZero();
        assertThat(again.get("message").asString()).contains("reused variant " + first, "engine version 0.1.0-SNAPSHOT");
        JsonNode followUp = admin().get("/api/v1/jobs/" + again.get("followUpJobIds").get(0).asString()).json();
        assertThat(followUp.get("type").asString()).isEqualTo("EVALUATE");
        assertThat(followUp.get("variantId").asString()).as("measures the reused variant").isEqualTo(first);
        assertThat(jdbc.queryForObject("select count(*) from variant where lineage -> 'recipe' ->> 'name' = ?",
                Integer.class, s.recipe())).isEqualTo(1);
        assertThat(admin().get("/api/v1/audit?action=job.reused&subjectId=" + again.get("id").asString()).json()
                .get("totalItems").asInt()).isEqualTo(1);
    }

    @Test
    void whenNoVariantWasMadeWithTheLiveWorkersEngineTheJobQueuesAndTheEngineItsResultReportsDecides() {
        Scene s = scene();
        String first = runToVariant(s, s.request(false), "engine-a");
        s.worker().deregister();
        long blobsBefore = jdbc.queryForObject("select count(*) from blob", Long.class);

        // The only worker that could run it registered with 0.1.0-SNAPSHOT, but made the variant with engine-a.
        TestWorker next = TestWorker.register(userWith("WORKER"), Map.of("pool", s.pool()), List.of());
        JsonNode queued = ok(admin().post("/api/v1/jobs", s.request(false)), 202).json();
        assertThat(queued.get("status").asString()).isEqualTo("QUEUED");
        JsonNode claimed = ok(next.claim("5s"), 200).json();
        JsonNode reply = ok(next.result(claimed.get("id").asString(), 1, "SUCCEEDED", Map.of("engineVersion",
                "engine-a"), ("other bytes " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)), 200).json();

        assertThat(reply.get("variantId").asString()).isEqualTo(first);
        assertThat(reply.get("reused").asBoolean()).isTrue();
        JsonNode job = admin().get("/api/v1/jobs/" + queued.get("id").asString()).json();
        assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("reused").asBoolean()).isTrue();
        assertThat(job.get("variantId").asString()).isEqualTo(first);
        assertThat(jdbc.queryForObject("select count(*) from blob", Long.class)).as("the new bytes are not kept")
                .isEqualTo(blobsBefore);

        // Another engine version is another run: a new variant.
        String other = runToVariant(s, s.request(false), next, "engine-b");
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void forceMakesANewVariantFromAnIdenticalRun() {
        Scene s = scene();
        String first = runToVariant(s, s.request(false), "0.1.0-SNAPSHOT");

        String forced = runToVariant(s, s.request(true), "0.1.0-SNAPSHOT");

        assertThat(forced).isNotEqualTo(first);
        String forcedJob = admin().get("/api/v1/variants/" + forced).json().get("lineage").get("jobId").asString();
        JsonNode job = admin().get("/api/v1/jobs/" + forcedJob).json();
        assertThat(job.get("force").asBoolean()).isTrue();
        assertThat(job.get("reused").asBoolean()).isFalse();
        assertThat(jdbc.queryForObject("select count(*) from variant where lineage -> 'recipe' ->> 'name' = ?",
                Integer.class, s.recipe())).isEqualTo(2);
    }

    @Test
    void forceOnAJobOtherThanQuantizeIsRefusedNamingTheFieldAndNothingIsQueued() {
        Scene s = scene();
        String variant = runToVariant(s, s.request(false), "0.1.0-SNAPSHOT");
        long jobsBefore = jdbc.queryForObject("select count(*) from job", Long.class);

        HttpApi.Reply refused = userWith("ENGINEER").post("/api/v1/jobs", Map.of("type", "BENCHMARK", "variantId",
                variant, "hardwareTarget", s.target(), "force", true));

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("field").asString()).isEqualTo("force");
        assertThat(jdbc.queryForObject("select count(*) from job", Long.class)).isEqualTo(jobsBefore);
    }

    /** A recipe and a hardware target of the test's own, and the one live worker that can run jobs for it. */
    private record Scene(String recipe, String target, String pool, TestWorker worker, VariantReuseIT test) {

        Map<String, Object> request(boolean force, Object... extra) {
            Object[] all = new Object[extra.length + 6];
            all[0] = "recipe";
            all[1] = Map.of("name", recipe, "version", 1);
            all[2] = "hardwareTarget";
            all[3] = target;
            all[4] = "force";
            all[5] = force;
            System.arraycopy(extra, 0, all, 6, extra.length);
            return test.quantizeRequest(all);
        }
    }

    private Scene scene() {
        String recipe = unique("reuse");
        ok(admin().post("/api/v1/recipes", Map.of("name", recipe, "method", "int8-dynamic")), 201);
        String pool = unique("pool");
        String target = unique("reuse-target");
        ok(admin().post("/api/v1/hardware-targets", Map.of("name", target, "labels", Map.of("pool", pool))), 201);
        TestWorker worker = TestWorker.register(userWith("WORKER"), Map.of("pool", pool), List.of());
        return new Scene(recipe, target, pool, worker, this);
    }

    private String runToVariant(Scene s, Map<String, Object> request, String engineVersion) {
        return runToVariant(s, request, s.worker(), engineVersion);
    }

    /** Submits the job, has the worker claim it and report unique bytes made with this engine version. */
    private String runToVariant(Scene s, Map<String, Object> request, TestWorker worker, String engineVersion) {
        String jobId = ok(admin().post("/api/v1/jobs", request), 202).json().get("id").asString();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        return ok(worker.result(jobId, 1, "SUCCEEDED", Map.of("engineVersion", engineVersion),
                ("variant " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)), 200).json().get("variantId")
                .asString();
    }
}
