package io.qreg.worker.daemon;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The daemon end to end against {@link FakeRegistry}, a double of the registry as docs/worker-protocol.md describes it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerDaemonTest {

    private static final String CHECKPOINT_URL = "/api/v1/checkpoints/ckpt-1/content";
    private static final String DATASET_URL = "/api/v1/datasets/digits-calib/versions/1/content";

    @TempDir
    Path workDir;

    private FakeRegistry registry;
    private WorkerDaemon daemon;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private byte[] checkpoint;

    @BeforeEach
    void setUp() throws IOException {
        registry = new FakeRegistry();
        checkpoint = fixture("digits_mlp.onnx");
        registry.artifact(CHECKPOINT_URL, checkpoint);
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(5));
        }
        registry.close();
    }

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
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) result.get("report");
        assertThat(report).isNotNull().containsKey("layers");
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
        daemon = WorkerDaemon.start(config(java.net.URI.create("http://127.0.0.1:" + port))
                .withMaxBackoff(Duration.ofMillis(200)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!log().contains("retrying in") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(log()).contains("cannot register with", "retrying in");
        assertThat(daemon.workerId()).isEmpty();
        daemon.stop(Duration.ofSeconds(1));
        assertThat(daemon.isStopped()).isTrue();
        registry = new FakeRegistry(); // for tearDown
    }

    @Test
    void aRejectedTokenIsLoggedWithTheRegistrysDetailAndRetried() throws Exception {
        daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), "wrong-token").withName("test-worker")
                .withWorkDir(workDir).withClaimWait(Duration.ofSeconds(1)).withMaxBackoff(Duration.ofMillis(100))
                .withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8)));
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
        registry.artifact("/api/v1/variants/v-1/content", checkpoint);
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
                "contentUrl", "/api/v1/variants/v-1/content", "method", "int8-dynamic"));
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
        registry.artifact("/api/v1/variants/v-1/content", checkpoint);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", "job-8");
        job.put("type", "BENCHMARK");
        job.put("attempt", 1);
        job.put("hardwareTarget", "any");
        job.put("variant", Map.of("id", "v-1", "sha256", FakeRegistry.sha256(checkpoint),
                "contentUrl", "/api/v1/variants/v-1/content"));
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", FakeRegistry.sha256(checkpoint),
                "contentUrl", CHECKPOINT_URL));
        registry.enqueue(job);
        daemon = WorkerDaemon.start(config(registry.uri()).withBenchmark(5, 1));

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
        registry.downloadDelayMillis = 300;
        registry.enqueue(quantizeJob("job-9", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        startDaemon();
        awaitLog("claimed job job-9");

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
        registry.downloadDelayMillis = 3000;
        registry.enqueue(quantizeJob("job-10", FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        startDaemon();
        awaitLog("claimed job job-10");

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
        WorkerConfig config = config(registry.uri());
        daemon = WorkerDaemon.start(config, new RegistryClient(registry.uri(), FakeRegistry.TOKEN,
                Duration.ofSeconds(10), Duration.ofSeconds(30), 4, Duration.ofMillis(50)), HardwareProfile.detect());

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
        daemon = WorkerDaemon.start(config(registry.uri()).withConcurrency(2));

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
        byte[] images = fixture("digits_calib_x_img.npy");
        registry.artifact(DATASET_URL, images);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", "digits-calib");
        dataset.put("version", 1);
        dataset.put("sha256", FakeRegistry.sha256(images));
        dataset.put("format", "npy");
        dataset.put("contentUrl", DATASET_URL);
        return dataset;
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(log()).contains(text);
    }

    private static Path fixturePath(String name) throws Exception {
        return Path.of(WorkerDaemonTest.class.getResource("/fixtures/" + name).toURI());
    }

    private void startDaemon() {
        daemon = WorkerDaemon.start(config(registry.uri()));
    }

    private WorkerConfig config(java.net.URI uri) {
        return WorkerConfig.of(uri, FakeRegistry.TOKEN).withName("test-worker").withLabels(Map.of("pool", "ci"))
                .withWorkDir(workDir).withClaimWait(Duration.ofSeconds(1))
                .withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    private FakeRegistry.Posted awaitResult() throws InterruptedException {
        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result within 45 s; log:%n%s", log()).isNotNull();
        return posted;
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
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    static Map<String, Object> quantizeJob(String id, String checkpointSha, String method,
            Map<String, Object> calibrationDataset) {
        Map<String, Object> recipe = new LinkedHashMap<>();
        recipe.put("name", "int8");
        recipe.put("version", 1);
        recipe.put("hash", "abc");
        recipe.put("method", method);
        recipe.put("perChannel", false);
        recipe.put("symmetric", true);
        recipe.put("blockSize", null);
        recipe.put("calibrationMethod", "minmax");
        recipe.put("percentile", null);
        recipe.put("excludeNodes", List.of());
        recipe.put("excludeOpTypes", List.of());
        recipe.put("accuracyBudget", null);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", id);
        job.put("type", "QUANTIZE");
        job.put("attempt", 1);
        job.put("leaseSeconds", 30);
        job.put("leaseExpiresAt", "2026-01-01T00:00:30Z");
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", checkpointSha, "sizeBytes", 340691,
                "contentUrl", CHECKPOINT_URL));
        job.put("recipe", recipe);
        job.put("calibrationDataset", calibrationDataset);
        job.put("hardwareTarget", "any");
        return job;
    }

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = WorkerDaemonTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }
}
