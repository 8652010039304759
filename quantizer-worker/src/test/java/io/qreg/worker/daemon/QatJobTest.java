package io.qreg.worker.daemon;

import static io.qreg.worker.daemon.DaemonJobs.quantizeJob;
import static io.qreg.worker.daemon.DaemonJobs.recipeOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.QatExports;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker daemon on a QAT export: a post-training method's refusal reaches the registry as a FAILED job, not
 * retried, with the engine's reason; a qat job succeeds. (The registry refuses such jobs up front for checkpoints
 * it knows are quantized; those registered before it recorded the flag still reach a worker.)
 */
class QatJobTest extends DaemonTest {

    /** A QAT export of the digits MLP. */
    @Override
    byte[] checkpointToServe() throws Exception {
        return Files.readAllBytes(QatExports.digitsMlpQat(Files.createDirectories(workDir.resolve("export"))));
    }

    @Test
    void aPostTrainingJobOnAQatExportFailsWithoutRetryNamingMethodQat() throws Exception {
        registry.enqueue(quantizeJob("job-1", FakeRegistry.sha256(checkpoint), "fp16", null));
        start();

        FakeRegistry.Posted posted = worker.awaitResult();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("already quantized; use method qat");
        assertThat(posted.file()).isNull();
    }

    @Test
    void aQatJobImportsTheExport() throws Exception {
        Map<String, Object> job = quantizeJob("job-2", FakeRegistry.sha256(checkpoint), "qat", null);
        recipeOf(job).put("calibrationMethod", null);
        registry.enqueue(job);
        start();

        FakeRegistry.Posted posted = worker.awaitResult();
        assertThat(posted.result()).as(String.valueOf(posted.result().get("error"))).containsEntry("status", "SUCCEEDED");
        assertThat(posted.report()).containsEntry("method", "qat");
        assertThat(posted.file().length).isLessThan(checkpoint.length * 2 / 5);
    }

    private void start() {
        worker.start(worker.config(workDir.resolve("scratch")).withName("qat-worker"));
    }
}
