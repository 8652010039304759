package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.variant.EvidenceRecorded;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** EVALUATE of a checkpoint itself: the FP32 model's own evidence, measured by the real worker. */
class CheckpointEvaluationIT extends JobTestSupport {

    @Test
    void anEvaluateJobOfACheckpointRunsOnTheRealWorkerAndItsEvaluationIsListedUnderTheCheckpoint() throws Exception {
        Registered r = registered();
        HttpApi engineer = userWith("ENGINEER");
        HttpApi.Reply submitted = ok(engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "checkpointId", r.checkpointId(), "dataset", Map.of("name", r.evaluation(), "version", 1))), 202);
        String jobId = submitted.json().get("id").asString();
        assertThat(submitted.json().get("variantId").isNull()).isTrue();
        assertThat(submitted.json().get("checkpointId").asString()).isEqualTo(r.checkpointId());

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        WorkerDaemon daemon = startDaemon(log);
        JsonNode job;
        try {
            job = awaitFinished(jobId, Duration.ofMinutes(3));
        } finally {
            daemon.stop(Duration.ofSeconds(5));
        }
        assertThat(job.get("status").asString()).as(job + "\n" + log.toString(StandardCharsets.UTF_8))
                .isEqualTo("SUCCEEDED");
        assertThat(job.get("variantId").isNull()).isTrue();

        JsonNode evaluations = ok(engineer.get("/api/v1/checkpoints/" + r.checkpointId() + "/evaluations"), 200)
                .json();
        assertThat(evaluations.isArray()).isTrue();
        JsonNode evaluation = null;
        for (JsonNode e : evaluations) {
            if (e.get("jobId").asString().equals(jobId)) {
                evaluation = e;
            }
        }
        assertThat(evaluation).as(evaluations.toString()).isNotNull();
        assertThat(evaluation.get("dataset").get("name").asString()).isEqualTo(r.evaluation());
        assertThat(evaluation.get("metrics").get("accuracy").asDouble()).isGreaterThan(0.9);
        assertThat(evaluation.get("deltas").get("accuracy").asDouble()).as("the checkpoint against itself")
                .isEqualTo(0.0);
        assertThat(evaluation.get("samples").asLong()).isPositive();
        assertThat(evaluation.get("hardwareProfile").get("cores").asInt()).isPositive();

        UUID evaluationId = UUID.fromString(evaluation.get("id").asString());
        assertThat(jdbc.queryForObject("select variant_id is null and checkpoint_id = ?::uuid from evaluation"
                + " where id = ?", Boolean.class, r.checkpointId(), evaluationId)).isTrue();
        assertThat(jdbc.queryForList("select subject_type from audit_event where action = 'evaluation.recorded'"
                + " and subject_id = ?", String.class, r.checkpointId())).containsExactly("checkpoint");
        assertThat(RecordedEvidence.ofResult(evaluationId)).containsExactly(new EvidenceRecorded(null,
                UUID.fromString(r.checkpointId()), r.model(), "evaluation", evaluationId));
    }

    @Test
    void anEvaluateJobNamesExactlyOneOfVariantAndCheckpoint() {
        Registered r = registered();
        HttpApi engineer = userWith("ENGINEER");
        Map<String, Object> dataset = Map.of("name", r.evaluation(), "version", 1);

        HttpApi.Reply neither = engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE", "dataset", dataset));
        assertThat(neither.status()).isEqualTo(400);
        assertThat(neither.json().get("field").asString()).isEqualTo("variantId");
        String variantId = producedVariant(engineer);
        HttpApi.Reply both = engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE", "variantId", variantId,
                "checkpointId", r.checkpointId(), "dataset", dataset));
        assertThat(both.status()).isEqualTo(400);
        assertThat(both.json().get("field").asString()).isEqualTo("variantId");
        assertThat(both.json().get("detail").asString()).contains("exactly one");

        HttpApi.Reply unknown = engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "checkpointId", UUID.randomUUID().toString(), "dataset", dataset));
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("field").asString()).isEqualTo("checkpointId");
        HttpApi.Reply noDataset = engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "checkpointId", r.checkpointId()));
        assertThat(noDataset.status()).isEqualTo(400);
        assertThat(noDataset.json().get("field").asString()).isEqualTo("dataset");
        HttpApi.Reply calibration = engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE",
                "checkpointId", r.checkpointId(), "dataset", Map.of("name", r.calibration(), "version", 1)));
        assertThat(calibration.status()).isEqualTo(400);
        assertThat(calibration.json().get("detail").asString()).contains("purpose 'evaluation'");

        assertThat(engineer.get("/api/v1/checkpoints/" + UUID.randomUUID() + "/evaluations").status())
                .isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from job where status in ('QUEUED', 'RUNNING')",
                Integer.class)).as("no refused request left a job behind").isZero();
    }

    @Test
    void aVariantsEvaluationAndBenchmarkPublishEvidenceEventsToo() {
        Registered r = registered();
        HttpApi engineer = userWith("ENGINEER");
        String variantId = producedVariant(engineer);
        TestWorker worker = newWorker();
        String evaluate = ok(engineer.post("/api/v1/jobs", Map.of("type", "EVALUATE", "variantId", variantId,
                "dataset", Map.of("name", r.evaluation(), "version", 1))), 202).json().get("id").asString();
        assertThat(ok(worker.claim("5s"), 200).json().get("variant").get("id").asString()).isEqualTo(variantId);
        ok(worker.result(evaluate, 1, "SUCCEEDED", Map.of("evaluation", Map.of("metrics", Map.of("accuracy", 0.9),
                "deltas", Map.of("accuracy", -0.01))), null), 200);
        String benchmark = ok(engineer.post("/api/v1/jobs", Map.of("type", "BENCHMARK", "variantId", variantId)),
                202).json().get("id").asString();
        ok(worker.claim("5s"), 200);
        ok(worker.result(benchmark, 1, "SUCCEEDED", Map.of("benchmark", Map.of("results", List.of(
                Map.of("latencyP50Ms", 2.0, "speedup", 1.0), Map.of("latencyP50Ms", 1.0, "speedup", 2.0)))), null),
                200);

        UUID evaluationId = jdbc.queryForObject("select id from evaluation where job_id = ?::uuid", UUID.class,
                evaluate);
        UUID benchmarkId = jdbc.queryForObject("select id from benchmark where job_id = ?::uuid", UUID.class,
                benchmark);
        UUID variant = UUID.fromString(variantId);
        assertThat(RecordedEvidence.ofResult(evaluationId)).containsExactly(
                new EvidenceRecorded(variant, null, r.model(), "evaluation", evaluationId));
        assertThat(RecordedEvidence.ofResult(benchmarkId)).containsExactly(
                new EvidenceRecorded(variant, null, r.model(), "benchmark", benchmarkId));
    }
}
