package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** The worker protocol driven over HTTP by the test as the worker, against the real registry and database. */
class WorkerProtocolIT extends JobTestSupport {

    @Test
    void quantizeJobRunsFromClaimToAVariantWithFullLineageAndARepeatedResultChangesNothing() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();
        String jobId = submitQuantize(engineer, "calibrationDataset", Map.of("name", r.calibration(), "version", 1));
        assertThat(engineer.get("/api/v1/jobs/" + jobId).json().get("status").asString()).isEqualTo("QUEUED");

        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        assertThat(claimed.get("attempt").asInt()).isEqualTo(1);
        assertThat(claimed.get("recipe").get("method").asString()).isEqualTo("int8-dynamic");
        assertThat(claimed.get("calibrationDataset").get("contentUrl").asString()).endsWith("/versions/1/content");
        assertThat(worker.api.get(claimed.get("calibrationDataset").get("contentUrl").asString()).status())
                .isEqualTo(200);

        JsonNode beat = ok(worker.heartbeat(jobId, 1, 0.5, "quantizing"), 200).json();
        assertThat(beat.get("cancelRequested").asBoolean()).isFalse();
        JsonNode running = engineer.get("/api/v1/jobs/" + jobId).json();
        assertThat(running.get("status").asString()).isEqualTo("RUNNING");
        assertThat(running.get("progress").asDouble()).isEqualTo(0.5);
        assertThat(running.get("workerId").asString()).isEqualTo(worker.id);
        JsonNode fleet = engineer.get("/api/v1/workers?size=200").json().get("items");
        JsonNode me = null;
        for (JsonNode w : fleet) {
            if (w.get("id").asString().equals(worker.id)) {
                me = w;
            }
        }
        assertThat(me).isNotNull();
        assertThat(me.get("state").asString()).isEqualTo("busy");
        assertThat(me.get("currentJobId").asString()).isEqualTo(jobId);

        Path out = scratch.resolve("out.onnx");
        Map<String, Object> result = quantizeFor(worker, claimed, out);
        byte[] quantized = Files.readAllBytes(out);
        HttpApi.Reply first = ok(worker.result(jobId, 1, "SUCCEEDED", result, quantized), 200);
        String variantId = first.json().get("variantId").asString();
        assertThat(first.json().get("status").asString()).isEqualTo("SUCCEEDED");

        HttpApi.Reply again = ok(worker.result(jobId, 1, "SUCCEEDED", result, quantized), 200);
        assertThat(again.json()).isEqualTo(first.json());
        assertThat(jdbc.queryForObject("select count(*) from variant where job_id = ?::uuid", Integer.class, jobId))
                .isEqualTo(1);

        JsonNode job = engineer.get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(job.get("variantId").asString()).isEqualTo(variantId);
        assertThat(job.get("finishedAt").isNull()).isFalse();

        JsonNode variant = ok(engineer.get("/api/v1/variants/" + variantId), 200).json();
        assertThat(variant.get("modelName").asString()).isEqualTo(r.model());
        assertThat(variant.get("method").asString()).isEqualTo("int8-dynamic");
        assertThat(variant.get("sha256").asString()).isEqualTo(Fixtures.sha256(quantized));
        assertThat(variant.get("sizeBytes").asLong()).isEqualTo(quantized.length);
        JsonNode lineage = variant.get("lineage");
        assertThat(lineage.get("checkpointSha256").asString()).isEqualTo(Fixtures.sha256(Fixtures.bytes("digits_mlp.onnx")));
        assertThat(lineage.get("recipe").get("name").asString()).isEqualTo(r.recipe());
        assertThat(lineage.get("recipe").get("hash").asString()).hasSize(64);
        assertThat(lineage.get("calibrationDataset").get("name").asString()).isEqualTo(r.calibration());
        assertThat(lineage.get("calibrationDataset").get("sha256").asString())
                .isEqualTo(Fixtures.sha256(Fixtures.bytes("digits_calib_x.npy")));
        assertThat(lineage.get("workerId").asString()).isEqualTo(worker.id);
        assertThat(lineage.get("hardwareProfile").get("cpuModel").asString()).isEqualTo("Test CPU");
        assertThat(lineage.get("engineVersion").asString()).isEqualTo("0.1.0-SNAPSHOT");
        assertThat(lineage.get("onnxRuntimeVersion").asString()).isEqualTo("1.23.2");
        assertThat(lineage.get("jobId").asString()).isEqualTo(jobId);
        assertThat(variant.get("report").get("layers")).isNotNull();

        HttpApi.Reply content = worker.api.get("/api/v1/variants/" + variantId + "/content");
        assertThat(content.status()).isEqualTo(200);
        assertThat(content.header("ETag")).isEqualTo("\"" + Fixtures.sha256(quantized) + "\"");

        assertThat(jdbc.queryForList("select action from audit_event where subject_id = ? order by seq",
                String.class, jobId)).contains("job.submitted", "job.claimed", "job.finished");
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'variant.created'"
                + " and subject_id = ?", Integer.class, variantId)).isEqualTo(1);
    }

    @Test
    void followUpsAreQueuedWhenTheQuantizeJobSucceedsAndTheirResultsAttachToTheVariant() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        Registered r = registered();
        String jobId = submitQuantize(engineer, "followUps", List.of(
                Map.of("type", "EVALUATE", "dataset", Map.of("name", r.evaluation(), "version", 1)),
                Map.of("type", "BENCHMARK", "hardwareTarget", "any")));
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(engineer.get("/api/v1/jobs/" + jobId).json().get("followUpJobIds")).isEmpty();
        Path out = scratch.resolve("follow.onnx");
        String variantId = ok(worker.result(jobId, 1, "SUCCEEDED", quantizeFor(worker, claimed, out),
                Files.readAllBytes(out)), 200).json().get("variantId").asString();

        JsonNode followUps = engineer.get("/api/v1/jobs/" + jobId).json().get("followUpJobIds");
        assertThat(followUps).hasSize(2);
        for (JsonNode id : followUps) {
            JsonNode child = engineer.get("/api/v1/jobs/" + id.asString()).json();
            assertThat(child.get("status").asString()).isEqualTo("QUEUED");
            assertThat(child.get("parentJobId").asString()).isEqualTo(jobId);
            assertThat(child.get("variantId").asString()).isEqualTo(variantId);
        }

        JsonNode evaluate = ok(worker.claim("5s"), 200).json();
        assertThat(evaluate.get("type").asString()).isEqualTo("EVALUATE");
        assertThat(evaluate.get("task").asString()).isEqualTo("classification");
        assertThat(evaluate.get("dataset").get("hasLabels").asBoolean()).isTrue();
        assertThat(evaluate.get("variant").get("id").asString()).isEqualTo(variantId);
        ok(worker.result(evaluate.get("id").asString(), 1, "SUCCEEDED", Map.of("evaluation", Map.of(
                "metrics", Map.of("accuracy", 0.95, "top1Agreement", 0.99),
                "referenceMetrics", Map.of("accuracy", 0.96),
                "deltas", Map.of("accuracy", -0.01), "slices", List.of(), "samples", 300)), null), 200);

        JsonNode benchmark = ok(worker.claim("5s"), 200).json();
        assertThat(benchmark.get("type").asString()).isEqualTo("BENCHMARK");
        ok(worker.result(benchmark.get("id").asString(), 1, "SUCCEEDED", Map.of("benchmark", Map.of(
                "results", List.of(
                        Map.of("model", "fp32.onnx", "latencyP50Ms", 2.0, "latencyP99Ms", 3.0, "speedup", 1.0),
                        Map.of("model", "int8.onnx", "latencyP50Ms", 1.0, "latencyP99Ms", 1.5, "speedup", 2.0)),
                "peakRssBytes", 1000)), null), 200);

        JsonNode variant = engineer.get("/api/v1/variants/" + variantId).json();
        JsonNode evaluation = variant.get("evaluations").get(0);
        assertThat(evaluation.get("metrics").get("accuracy").asDouble()).isEqualTo(0.95);
        assertThat(evaluation.get("deltas").get("accuracy").asDouble()).isEqualTo(-0.01);
        assertThat(evaluation.get("dataset").get("name").asString()).isEqualTo(r.evaluation());
        JsonNode bench = variant.get("benchmarks").get(0);
        assertThat(bench.get("hardwareTarget").asString()).isEqualTo("any");
        assertThat(bench.get("latencyP50Ms").asDouble()).isEqualTo(1.0);
        assertThat(bench.get("latencyP99Ms").asDouble()).isEqualTo(1.5);
        assertThat(bench.get("speedup").asDouble()).isEqualTo(2.0);

        JsonNode listed = engineer.get("/api/v1/models/" + r.model() + "/variants").json().get("items");
        JsonNode mine = null;
        for (JsonNode v : listed) {
            if (v.get("id").asString().equals(variantId)) {
                mine = v;
            }
        }
        assertThat(mine).isNotNull();
        assertThat(mine.get("metrics").get("accuracy").asDouble()).isEqualTo(0.95);
        assertThat(mine.get("speedup").asDouble()).isEqualTo(2.0);
    }

    @Test
    void aWorkerClaimsOnlyJobsWhoseHardwareTargetItSatisfies() {
        String target = unique("vnni");
        ok(admin().post("/api/v1/hardware-targets", Map.of("name", target,
                "requiredFlags", List.of("avx512_vnni"), "labels", Map.of("pool", "lab"))), 201);
        assertThat(admin().get("/api/v1/hardware-targets?size=200").body()).contains("\"any\"", target);
        String jobId = submitQuantize(userWith("ENGINEER"), "hardwareTarget", target);

        TestWorker plain = newWorker();
        assertThat(plain.claim("0").status()).isEqualTo(204);
        TestWorker wrongPool = TestWorker.register(userWith("WORKER"), Map.of("pool", "other"),
                List.of("avx512_vnni"));
        assertThat(wrongPool.claim("0").status()).isEqualTo(204);
        TestWorker lab = TestWorker.register(userWith("WORKER"), Map.of("pool", "lab", "gpu", "none"),
                List.of("avx2", "avx512_vnni"));
        JsonNode claimed = ok(lab.claim("0"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        assertThat(claimed.get("hardwareTarget").asString()).isEqualTo(target);
    }

    @Test
    void anAttemptWhoseLeaseExpiredGets409AndTheNextClaimIsAttempt2() {
        String jobId = submitQuantize(userWith("ENGINEER"));
        TestWorker first = newWorker();
        ok(first.claim("0"), 200);
        expireLease(jobId);
        JsonNode requeued = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(requeued.get("status").asString()).isEqualTo("QUEUED");
        assertThat(requeued.get("attempts").asInt()).isEqualTo(1);

        assertThat(first.heartbeat(jobId, 1, 0.9, "late").status()).isEqualTo(409);
        HttpApi.Reply late = first.result(jobId, 1, "SUCCEEDED", Map.of(), new byte[] {1, 2, 3});
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.isProblem()).isTrue();

        TestWorker second = newWorker();
        JsonNode claimed = ok(second.claim("0"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        assertThat(claimed.get("attempt").asInt()).isEqualTo(2);
        assertThat(first.heartbeat(jobId, 1, 0.9, "still late").status()).isEqualTo(409);
        assertThat(second.heartbeat(jobId, 2, 0.1, "fresh").status()).isEqualTo(200);
    }

    @Test
    void aJobWhoseLeasesExpireMaxAttemptsTimesFails() {
        String jobId = submitQuantize(userWith("ENGINEER"), "maxAttempts", 2);
        TestWorker worker = newWorker();
        ok(worker.claim("0"), 200);
        expireLease(jobId);
        assertThat(ok(worker.claim("0"), 200).json().get("attempt").asInt()).isEqualTo(2);
        expireLease(jobId);
        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("attempts").asInt()).isEqualTo(2);
        assertThat(job.get("error").asString()).contains("leases", "expired");
        assertThat(worker.claim("0").status()).isEqualTo(204);
    }

    @Test
    void aRetryableFailureIsRequeuedAndANonRetryableOneFailsAtOnce() {
        HttpApi engineer = userWith("ENGINEER");
        TestWorker worker = newWorker();
        String retried = submitQuantize(engineer);
        ok(worker.claim("0"), 200);
        JsonNode reply = ok(worker.result(retried, 1, "FAILED",
                Map.of("error", "download broke", "retryable", true), null), 200).json();
        assertThat(reply.get("status").asString()).isEqualTo("QUEUED");
        assertThat(ok(worker.claim("0"), 200).json().get("attempt").asInt()).isEqualTo(2);

        String broken = submitQuantize(engineer, "maxAttempts", 3);
        jdbc.update("update job set status = 'CANCELLED' where id = ?::uuid", retried);
        ok(worker.claim("0"), 200);
        ok(worker.result(broken, 1, "FAILED", Map.of("error", "calibration input names do not fit the model",
                "retryable", false), null), 200);
        JsonNode job = engineer.get("/api/v1/jobs/" + broken).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("error").asString()).contains("calibration input names");
        assertThat(job.get("followUpJobIds")).isEmpty();
        assertThat(worker.claim("0").status()).isEqualTo(204);
    }

    @Test
    void aResultOrHeartbeatThatCannotBeReadIsRefusedNamingTheFieldAndChangesNothing() {
        HttpApi engineer = userWith("ENGINEER");
        TestWorker worker = newWorker();
        String jobId = submitQuantize(engineer);
        ok(worker.claim("0"), 200);
        HttpApi.Reply unknownStatus = worker.result(jobId, 1, "DONE", Map.of(), null);
        assertThat(unknownStatus.status()).isEqualTo(400);
        assertThat(unknownStatus.header("Content-Type")).startsWith("application/problem+json");
        assertThat(unknownStatus.json().get("field").asString()).isEqualTo("status");
        assertThat(unknownStatus.json().get("detail").asString()).contains("SUCCEEDED, FAILED, CANCELLED");
        HttpApi.Reply wrongType = worker.result(jobId, 1, "FAILED", Map.of("error", "x", "retryable", "yes"), null);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.json().get("field").asString()).isEqualTo("retryable");
        HttpApi.Reply badBeat = worker.api.post("/api/v1/jobs/" + jobId + "/heartbeat",
                Map.of("workerId", "nope", "attempt", 1, "progress", 0.5));
        assertThat(badBeat.status()).isEqualTo(400);
        assertThat(badBeat.json().get("field").asString()).isEqualTo("workerId");
        assertThat(engineer.get("/api/v1/jobs/" + jobId).json().get("status").asString()).isEqualTo("RUNNING");
        assertThat(jdbc.queryForObject("select count(*) from job_result where job_id = ?::uuid", Integer.class,
                jobId)).isZero();
    }

    @Test
    void cancellingAQueuedJobEndsItAtOnceAndAFinishedJobCannotBeCancelled() {
        HttpApi engineer = userWith("ENGINEER");
        String jobId = submitQuantize(engineer);
        JsonNode cancelled = ok(engineer.post("/api/v1/jobs/" + jobId + "/cancel", ""), 200).json();
        assertThat(cancelled.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(newWorker().claim("0").status()).isEqualTo(204);

        HttpApi.Reply again = engineer.post("/api/v1/jobs/" + jobId + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("CANCELLED");
        assertThat(jdbc.queryForList("select action from audit_event where subject_id = ?", String.class, jobId))
                .contains("job.cancelled");
    }

    @Test
    void cancellingARunningJobReachesTheWorkerAtItsNextHeartbeatAndNoFollowUpsAreCreated() {
        HttpApi engineer = userWith("ENGINEER");
        String jobId = submitQuantize(engineer, "followUps", List.of(Map.of("type", "BENCHMARK")));
        TestWorker worker = newWorker();
        ok(worker.claim("0"), 200);
        assertThat(ok(worker.heartbeat(jobId, 1, 0.2, "working"), 200).json().get("cancelRequested").asBoolean())
                .isFalse();
        JsonNode requested = ok(engineer.post("/api/v1/jobs/" + jobId + "/cancel", ""), 200).json();
        assertThat(requested.get("status").asString()).isEqualTo("RUNNING");
        assertThat(requested.get("cancelRequested").asBoolean()).isTrue();
        assertThat(ok(worker.heartbeat(jobId, 1, 0.3, "working"), 200).json().get("cancelRequested").asBoolean())
                .isTrue();
        ok(worker.result(jobId, 1, "CANCELLED", Map.of(), null), 200);
        JsonNode job = engineer.get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("CANCELLED");
        assertThat(job.get("followUpJobIds")).isEmpty();
        assertThat(job.get("variantId").isNull()).isTrue();
    }

    @Test
    void concurrentClaimsFrom8WorkersHandEachOf20JobsToExactlyOne() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        Set<String> submitted = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            submitted.add(submitQuantize(engineer));
        }
        List<TestWorker> workers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            workers.add(newWorker());
        }
        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (TestWorker w : workers) {
                runs.add(pool.submit(() -> {
                    HttpApi.Reply reply;
                    while ((reply = w.claim("0")).status() == 200) {
                        claimed.add(reply.json().get("id").asString());
                    }
                    assertThat(reply.status()).isEqualTo(204);
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(claimed).hasSize(20).doesNotHaveDuplicates();
        assertThat(new HashSet<>(claimed)).isEqualTo(submitted);
    }

    @Test
    void aWaitingClaimReturnsPromptlyWhenAJobIsSubmitted() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        quantizeRequest(); // register the fixtures before timing anything
        TestWorker worker = newWorker();
        CompletableFuture<HttpApi.Reply> waiting = CompletableFuture.supplyAsync(() -> worker.claim("20s"));
        Thread.sleep(500);
        assertThat(waiting).isNotDone();
        long submittedAt = System.nanoTime();
        String jobId = submitQuantize(engineer);
        HttpApi.Reply reply = waiting.get(10, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - submittedAt) / 1_000_000;
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().get("id").asString()).isEqualTo(jobId);
        assertThat(millis).as("claim answered %d ms after the submit", millis).isLessThan(1000);

        long started = System.nanoTime();
        assertThat(worker.claim("300ms").status()).isEqualTo(204);
        assertThat((System.nanoTime() - started) / 1_000_000).isBetween(250L, 5000L);
    }
}
