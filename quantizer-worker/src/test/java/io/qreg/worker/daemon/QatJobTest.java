package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.QatExports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker daemon on a QAT export: a post-training method's refusal reaches the registry as a FAILED job, not
 * retried, with the engine's reason; a qat job succeeds. (The registry refuses such jobs up front for checkpoints
 * it knows are quantized; those registered before it recorded the flag still reach a worker.)
 */
class QatJobTest {

    private static final String CHECKPOINT_URL = "/api/v1/checkpoints/ckpt-1/content";

    @TempDir
    Path workDir;

    private FakeRegistry registry;
    private WorkerDaemon daemon;
    private byte[] checkpoint;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void serveAQatExport() throws Exception {
        registry = new FakeRegistry();
        checkpoint = Files.readAllBytes(QatExports.digitsMlpQat(Files.createDirectories(workDir.resolve("export"))));
        registry.artifact(CHECKPOINT_URL, checkpoint);
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(5));
        }
        registry.close();
    }

    @Test
    void aPostTrainingJobOnAQatExportFailsWithoutRetryNamingMethodQat() throws Exception {
        registry.enqueue(WorkerDaemonTest.quantizeJob("job-1", FakeRegistry.sha256(checkpoint), "fp16", null));
        start();

        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", log).isNotNull();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("already quantized; use method qat");
        assertThat(posted.file()).isNull();
    }

    @Test
    void aQatJobImportsTheExport() throws Exception {
        Map<String, Object> job = WorkerDaemonTest.quantizeJob("job-2", FakeRegistry.sha256(checkpoint), "qat", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = (Map<String, Object>) job.get("recipe");
        recipe.put("calibrationMethod", null);
        registry.enqueue(job);
        start();

        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", log).isNotNull();
        assertThat(posted.result()).as(String.valueOf(posted.result().get("error"))).containsEntry("status", "SUCCEEDED");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) posted.result().get("report");
        assertThat(report).containsEntry("method", "qat");
        assertThat(posted.file().length).isLessThan(checkpoint.length * 2 / 5);
    }

    private void start() {
        daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), FakeRegistry.TOKEN).withName("qat-worker")
                .withWorkDir(workDir.resolve("scratch")).withClaimWait(Duration.ofSeconds(1))
                .withLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    }
}
