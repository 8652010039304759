package io.qreg.worker.daemon;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.qreg.worker.daemon.DaemonJobs.CHECKPOINT_URL;
import static io.qreg.worker.daemon.DaemonJobs.VARIANT_URL;
import static io.qreg.worker.daemon.DaemonJobs.benchmarkJob;
import static io.qreg.worker.daemon.DaemonJobs.calibrationDataset;
import static io.qreg.worker.daemon.DaemonJobs.fixture;
import static io.qreg.worker.daemon.DaemonJobs.quantizeJob;
import static org.assertj.core.api.Assertions.assertThat;

/** The daemon end to end against {@link FakeRegistry}, a double of the registry as docs/worker-protocol.md describes it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerDaemonTest extends DaemonTest {

    private WorkerDaemon daemon;

    @Test
    void quantizeJobPostsAVerifiedModelWithItsReport() throws Exception {
        registry.enqueue(quantizeJob("job-1", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        Map<String, Object> result = posted.result();
        assertThat(posted.jobId()).isEqualTo("job-1");
        assertThat(result).containsEntry("workerId", registry.workerId).containsEntry("attempt", 1L)
                .containsEntry("status", "SUCCEEDED").containsEntry("retryable", false).containsEntry("error", null);
        assertThat(posted.resultContentType()).startsWith("application/json");
        assertThat(posted.file()).isNotNull();
        assertThat(result.get("sha256")).isEqualTo(FakeRegistry.sha256(posted.file()));
        assertThat(result.get("sizeBytes")).isEqualTo((long) posted.file().length);
        assertThat(result.get("engineVersion")).isEqualTo(EngineVersion.get());
        assertThat(result.get("onnxRuntimeVersion")).isEqualTo(OrtEnvironment.getEnvironment().getVersion());
        assertThat(posted.report()).isNotNull().containsKey("layers");
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(posted.file())) {
            assertThat(session.getInputNames()).containsExactly("input");
        }

        List<Map<String, Object>> beats = registry.heartbeatsSnapshot();
        assertThat(beats).isNotEmpty().allSatisfy(b -> assertThat(b)
                .containsEntry("workerId", registry.workerId).containsEntry("attempt", 1L).containsKey("message"));
        assertThat(beats.get(beats.size() - 1).get("progress")).isEqualTo(1.0);
        assertThat(beats).extracting(b -> ((Number) b.get("progress")).doubleValue()).isSorted();

        Map<String, Object> registration = registry.registrations.get(0);
        assertThat(registration).containsEntry("name", "test-worker").containsEntry("labels", Map.of("pool", "ci"))
                .containsEntry("concurrency", 1L);
        @SuppressWarnings("unchecked")
        Map<String, Object> profile = (Map<String, Object>) registration.get("hardwareProfile");
        assertThat(profile).containsKeys("os", "arch", "cpuModel", "cores", "memoryBytes", "flags",
                "onnxRuntimeVersion", "executionProviders", "gpu", "engineVersion");
        assertThat(registry.claimQueries).first().isEqualTo("wait=1s");
        assertThat(registry.unauthorized).isEmpty();
        awaitLog("result posted for job job-1: SUCCEEDED"); // logged once the registry has answered
        assertThat(log()).contains("registered", "claimed job job-1 (QUANTIZE, attempt 1)");
        awaitScratchCleaned();
    }

    @Test
    void downloadNotMatchingItsSha256FailsRetryably() throws Exception {
        registry.enqueue(quantizeJob("job-2", "0".repeat(64), "int8-dynamic", null));
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", true);
        assertThat((String) posted.result().get("error")).contains("sha256 mismatch").contains("0".repeat(64));
        assertThat(posted.file()).isNull();
    }

    @Test
    void calibrationDataNotFittingTheModelFailsWithoutRetry() throws Exception {
        registry.enqueue(quantizeJob("job-3", FakeRegistry.sha256(checkpoint), "int8-static",
                calibrationSetOfTheWrongRank()));
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("model input 'input'").contains("rank 4 vs 2");
        assertThat(posted.file()).isNull();
    }

    @Test
    void cancelRequestedOnAHeartbeatReportsCancelled() throws Exception {
        registry.heartbeatAnswer = FakeRegistry.HeartbeatAnswer.CANCEL;
        registry.enqueue(quantizeJob("job-4", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "CANCELLED").containsEntry("attempt", 1L);
        assertThat(posted.file()).isNull();
        assertThat(log()).contains("cancel requested for job job-4");
    }

    @Test
    void leaseLostOnAHeartbeatAbandonsTheJobWithoutAResult() throws Exception {
        registry.heartbeatAnswer = FakeRegistry.HeartbeatAnswer.LEASE_LOST;
        registry.enqueue(quantizeJob("job-5", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        startDaemon();

        // The loop claims again once the job is abandoned.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!log().contains("abandoned without a result") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        int claimsAfter = registry.claims.get();
        while (registry.claims.get() <= claimsAfter && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(log()).contains("lease lost on job job-5");
        assertThat(registry.claims.get()).isGreaterThan(claimsAfter);
        assertThat(registry.results.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void unreachableRegistryIsRetriedUntilItAnswers() throws Exception {
        int port = registry.uri().getPort();
        registry.close();
        daemon = worker.start(worker.config(URI.create("http://127.0.0.1:" + port), FakeRegistry.TOKEN, workDir)
                .withLabels(Map.of("pool", "ci")).withMaxBackoff(Duration.ofMillis(200)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().contains("retrying in") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(log()).contains("cannot register with", "retrying in");
        assertThat(daemon.workerId()).isEmpty();
        daemon.stop(Duration.ofSeconds(1));
        assertThat(daemon.isStopped()).isTrue();
    }

    @Test
    void aRejectedTokenIsLoggedWithTheRegistrysDetailAndRetried() throws Exception {
        daemon = worker.start(worker.config(registry.uri(), "wrong-token", workDir)
                .withMaxBackoff(Duration.ofMillis(100)));
        awaitLog("register answered 401: a WORKER token is required; retrying in");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (registry.unauthorized.size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(registry.unauthorized).hasSizeGreaterThanOrEqualTo(2);
        assertThat(log()).doesNotContain("wrong-token");
    }

    @Test
    void stopEndsTheLongPollAndReturnsPromptly() throws Exception {
        startDaemon();
        assertThat(daemon.awaitRegistration(Duration.ofSeconds(10))).isTrue();
        long started = System.nanoTime();
        daemon.stop(Duration.ofSeconds(5));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(log()).contains("shutting down", "stopped");
    }

    @Test
    void evaluateJobReportsMetricsAgainstTheCheckpoint() throws Exception {
        registry.artifact(VARIANT_URL, checkpoint);
        ByteArrayOutputStream npz = new ByteArrayOutputStream();
        NpyWriter.writeNpz(npz, Map.of("input", NpyArray.read(fixturePath("digits_eval_x.npy")),
                "labels", NpyArray.read(fixturePath("digits_eval_y.npy"))));
        byte[] dataset = npz.toByteArray();
        registry.artifact("/api/v1/datasets/digits-eval/versions/1/content", dataset);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", "job-6");
        job.put("type", "EVALUATE");
        job.put("attempt", 2);
        job.put("task", "classification");
        job.put("variant", Map.of("id", "v-1", "sha256", FakeRegistry.sha256(checkpoint), "sizeBytes", checkpoint.length,
                "contentUrl", VARIANT_URL, "method", "int8-dynamic"));
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", FakeRegistry.sha256(checkpoint),
                "contentUrl", CHECKPOINT_URL));
        job.put("dataset", Map.of("name", "digits-eval", "version", 1, "sha256", FakeRegistry.sha256(dataset),
                "format", "npz", "contentUrl", "/api/v1/datasets/digits-eval/versions/1/content", "hasLabels", true,
                "hasSlices", false));
        registry.enqueue(job);
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "SUCCEEDED").containsEntry("attempt", 2L);
        @SuppressWarnings("unchecked")
        Map<String, Object> evaluation = (Map<String, Object>) posted.result().get("evaluation");
        assertThat(evaluation).containsEntry("task", "classification").containsEntry("model", "variant:v-1")
                .containsEntry("reference", "checkpoint:ckpt-1").containsKeys("metrics", "referenceMetrics", "deltas",
                        "slices", "samples");
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics = (Map<String, Object>) evaluation.get("metrics");
        assertThat(((Number) metrics.get("accuracy")).doubleValue()).isGreaterThan(0.5);
        assertThat(((Number) metrics.get("top1Agreement")).doubleValue()).isEqualTo(1.0);
        assertThat(posted.file()).isNull();
    }

    @Test
    void evaluateJobOfAnUnsupportedTaskFailsWithoutRetry() throws Exception {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", "job-7");
        job.put("type", "EVALUATE");
        job.put("attempt", 1);
        job.put("task", "detection");
        registry.enqueue(job);
        startDaemon();

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("'detection'", "classification", "language-model");
    }

    @Test
    void benchmarkJobComparesCheckpointAndVariant() throws Exception {
        registry.artifact(VARIANT_URL, checkpoint);
        registry.enqueue(benchmarkJob("job-8", FakeRegistry.sha256(checkpoint), FakeRegistry.sha256(checkpoint)));
        daemon = worker.start(config().withBenchmark(5, 1));

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "SUCCEEDED");
        @SuppressWarnings("unchecked")
        Map<String, Object> benchmark = (Map<String, Object>) posted.result().get("benchmark");
        assertThat(benchmark).containsEntry("hardwareTarget", "any").containsEntry("iterations", 5L)
                .containsKey("peakRssBytes");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) benchmark.get("results");
        assertThat(results).extracting(r -> r.get("role")).containsExactly("checkpoint", "variant");
        assertThat(results).extracting(r -> r.get("model")).containsExactly("checkpoint:ckpt-1", "variant:v-1");
        assertThat(results).allSatisfy(r -> assertThat(r).containsKeys("latencyP50Ms", "latencyP99Ms", "speedup")
                .containsEntry("batch", 1L));
        assertThat(benchmark).doesNotContainKey("concurrency");

        @SuppressWarnings("unchecked")
        Map<String, Object> batched = (Map<String, Object>) benchmark.get("batched");
        assertThat(batched).as("batched section").isNotNull().containsEntry("iterations", 2L)
                .containsKeys("peakRssBytes", "noisyCvThreshold");
        assertMeasured(batched, JobRunner.BENCHMARK_BATCH);

        long callers = Math.min(JobRunner.MAX_BENCHMARK_CALLERS, Runtime.getRuntime().availableProcessors());
        @SuppressWarnings("unchecked")
        Map<String, Object> concurrent = (Map<String, Object>) benchmark.get("concurrent");
        assertThat(concurrent).as("concurrent section").isNotNull().containsEntry("concurrency", callers)
                .containsEntry("iterations", 5L);
        assertMeasured(concurrent, 1);
    }

    /** Both models measured, named by role, with positive latencies and throughput at the given batch. */
    @SuppressWarnings("unchecked")
    private static void assertMeasured(Map<String, Object> section, long batch) {
        List<Map<String, Object>> results = (List<Map<String, Object>>) section.get("results");
        assertThat(results).extracting(r -> r.get("role")).containsExactly("checkpoint", "variant");
        assertThat(results).extracting(r -> r.get("model")).containsExactly("checkpoint:ckpt-1", "variant:v-1");
        assertThat(results).allSatisfy(r -> {
            assertThat(r).containsEntry("batch", batch).containsKeys("speedup", "cv", "noisy", "loadTimeMs");
            for (String key : List.of("latencyP50Ms", "latencyP90Ms", "latencyP99Ms", "throughput")) {
                assertThat(((Number) r.get(key)).doubleValue()).as(key).isPositive();
            }
        });
    }

    @Test
    void stopLetsARunningJobFinishWithinTheGracePeriod() throws Exception {
        daemon = startOnSlowJob("job-9", 300, config());

        daemon.stop(Duration.ofSeconds(20));
        FakeRegistry.Posted posted = registry.results.poll(1, TimeUnit.SECONDS);
        assertThat(posted).as(log()).isNotNull();
        assertThat(posted.result()).containsEntry("status", "SUCCEEDED");
        int claims = registry.claims.get();
        Thread.sleep(300);
        assertThat(registry.claims.get()).as("no claims after stop").isEqualTo(claims);
    }

    @Test
    void stopAbandonsAJobStillRunningAfterTheGracePeriod() throws Exception {
        daemon = startOnSlowJob("job-10", 3000, config());

        long started = System.nanoTime();
        daemon.stop(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(log()).contains("grace period over: abandoning job job-10");
        assertThat(registry.results.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aJobFailingWhileTheWorkerStopsIsAbandonedForTheRegistryToRequeueNotFailedForGood() throws Exception {
        registry.downloadDelayMillis = 1000;
        registry.enqueue(quantizeJob("job-12", FakeRegistry.sha256(checkpoint), "int8-static",
                calibrationSetOfTheWrongRank()));
        startDaemon();
        awaitLog("claimed job job-12");

        daemon.stop(Duration.ofSeconds(20));
        assertThat(registry.results.poll(500, TimeUnit.MILLISECONDS)).as(log()).isNull();
        assertThat(log()).contains("job job-12 failed while this worker was stopping (").contains("rank 4 vs 2")
                .contains("abandoned instead of failed, so the registry re-queues it");
    }

    @Test
    void resultPostIsRetriedWhenTheRegistryIsBrieflyUnavailable() throws Exception {
        registry.failResultPosts.set(2);
        registry.enqueue(quantizeJob("job-11", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        WorkerConfig config = config();
        daemon = worker.started(WorkerDaemon.start(config, new RegistryClient(registry.uri(), FakeRegistry.TOKEN,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 4, Duration.ofMillis(50)), HardwareProfile.detect()));

        FakeRegistry.Posted posted = awaitResult();
        assertThat(posted.result()).containsEntry("status", "SUCCEEDED");
        assertThat(posted.result().get("sha256")).isEqualTo(FakeRegistry.sha256(posted.file()));
        assertThat(registry.resultPosts.get()).isEqualTo(3);
    }

    @Test
    void concurrencyRunsSeveralJobsAtOnce() throws Exception {
        registry.downloadDelayMillis = 500;
        registry.enqueue(quantizeJob("job-12", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        registry.enqueue(quantizeJob("job-13", FakeRegistry.sha256(checkpoint), "fp16", null));
        daemon = worker.start(config().withConcurrency(2));

        awaitLog("claimed job job-12");
        awaitLog("claimed job job-13");
        FakeRegistry.Posted first = awaitResult();
        FakeRegistry.Posted second = awaitResult();
        assertThat(List.of(first.jobId(), second.jobId())).containsExactlyInAnyOrder("job-12", "job-13");
        assertThat(List.of(first, second)).allSatisfy(p -> assertThat(p.result()).containsEntry("status", "SUCCEEDED"));
        assertThat(registry.registrations).hasSize(1);
        assertThat(registry.registrations.get(0)).containsEntry("concurrency", 2L);
    }

    /** The digits images (rank 4) as calibration data for the rank-2 digits MLP: a job that fails without retry. */
    private Map<String, Object> calibrationSetOfTheWrongRank() throws Exception {
        return calibrationDataset(registry, fixture("digits_calib_x_img.npy"));
    }

    private static Path fixturePath(String name) throws Exception {
        return Path.of(WorkerDaemonTest.class.getResource("/fixtures/" + name).toURI());
    }

    private void startDaemon() {
        daemon = worker.start(config());
    }

    private WorkerConfig config() {
        return worker.config(workDir).withLabels(Map.of("pool", "ci"));
    }

    private FakeRegistry.Posted awaitResult() throws InterruptedException {
        return worker.awaitResult();
    }

    private void awaitLog(String text) throws InterruptedException {
        worker.awaitLog(text);
    }

    private void awaitScratchCleaned() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (var files = Files.list(workDir)) {
                if (files.findAny().isEmpty()) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        try (var files = Files.list(workDir)) {
            assertThat(files.toList()).as("scratch directories left behind").isEmpty();
        }
    }

    private String log() {
        return worker.log();
    }
}
