package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.bench.ShapeModels;
import io.qreg.engine.quant.DivideModel;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine's refusals reach the registry as FAILED jobs with the engine's words, not retried: a quantized model
 * that breaks when run, and a benchmark of a model whose input shapes cannot be known.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerJobChecksTest {

    private static final String CHECKPOINT_URL = "/api/v1/checkpoints/ckpt-1/content";

    @TempDir
    Path workDir;
    @TempDir
    Path models;

    private FakeRegistry registry;
    private WorkerDaemon daemon;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws java.io.IOException {
        registry = new FakeRegistry();
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(5));
        }
        registry.close();
    }

    private FakeRegistry.Posted run(Map<String, Object> job) throws InterruptedException {
        registry.enqueue(job);
        daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), FakeRegistry.TOKEN).withName("test-worker")
                .withWorkDir(workDir).withClaimWait(Duration.ofSeconds(1)).withBenchmark(3, 1)
                .withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8)));
        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", logBytes.toString(StandardCharsets.UTF_8)).isNotNull();
        return posted;
    }

    @Test
    void aQuantizeJobWhoseModelGivesInfinityFailsWithoutRetryAndPostsNoFile() throws Exception {
        byte[] divide = Files.readAllBytes(DivideModel.write(models.resolve("divide.onnx")));
        registry.artifact(CHECKPOINT_URL, divide);

        FakeRegistry.Posted posted = run(WorkerDaemonTest.quantizeJob("job-1", FakeRegistry.sha256(divide),
                "int8-dynamic", null));

        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("so it was not kept",
                "NaN or infinite values in output 'y' where the original is finite");
        assertThat(posted.file()).isNull();
    }

    @Test
    void aBenchmarkJobOnAModelWithASymbolicFeatureDimensionFailsNamingIt() throws Exception {
        byte[] symbolic = Files.readAllBytes(ShapeModels.model(models, "symbolic.onnx",
                ShapeModels.symbolic("batch", "features")));
        registry.artifact(CHECKPOINT_URL, symbolic);
        registry.artifact("/api/v1/variants/v-1/content", symbolic);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("id", "job-2");
        job.put("type", "BENCHMARK");
        job.put("attempt", 1);
        job.put("hardwareTarget", "any");
        job.put("variant", Map.of("id", "v-1", "sha256", FakeRegistry.sha256(symbolic),
                "contentUrl", "/api/v1/variants/v-1/content"));
        job.put("checkpoint", Map.of("id", "ckpt-1", "sha256", FakeRegistry.sha256(symbolic),
                "contentUrl", CHECKPOINT_URL));

        FakeRegistry.Posted posted = run(job);

        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error"))
                .startsWith("input 'x' dimension 1 ('features') is symbolic; set it with --shape")
                .doesNotContain("Exception");
    }
}
