package io.qreg.worker.daemon;

import static io.qreg.engine.eval.Fixtures.path;
import static org.assertj.core.api.Assertions.assertThat;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker daemon on recipes with a weight-only algorithm: GPTQ with a calibration dataset succeeds and its
 * report names the algorithm; GPTQ without one reaches the registry as a FAILED job (not retried) with the reason;
 * HQQ needs no calibration data.
 */
class GptqJobTest {

    private static final String CHECKPOINT_URL = "/api/v1/checkpoints/ckpt-1/content";
    private static final String DATASET_URL = "/api/v1/datasets/digits-calib/versions/1/content";

    @TempDir
    Path workDir;

    private FakeRegistry registry;
    private WorkerDaemon daemon;
    private byte[] checkpoint;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void serveTheDigitsMlp() throws Exception {
        registry = new FakeRegistry();
        checkpoint = Files.readAllBytes(path("digits_mlp.onnx"));
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
    void aGptqJobWithCalibrationDataSucceedsAndTheReportNamesGptq() throws Exception {
        byte[] samples = Files.readAllBytes(path("digits_calib_x.npy"));
        registry.artifact(DATASET_URL, samples);
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", "digits-calib");
        dataset.put("version", 1);
        dataset.put("sha256", FakeRegistry.sha256(samples));
        dataset.put("format", "npy");
        dataset.put("contentUrl", DATASET_URL);
        registry.enqueue(job("job-1", "gptq", dataset));
        start();

        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", log).isNotNull();
        assertThat(posted.result()).as(String.valueOf(posted.result().get("error")))
                .containsEntry("status", "SUCCEEDED");
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) posted.result().get("report");
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) report.get("options");
        assertThat(options).containsEntry("algorithm", "gptq").containsEntry("actOrder", false);
    }

    @Test
    void aGptqJobWithoutCalibrationDataFailsNamingTheField() throws Exception {
        registry.enqueue(job("job-2", "gptq", null));
        start();

        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", log).isNotNull();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("gptq").contains("calibrationDataset");
        assertThat(posted.file()).isNull();
    }

    @Test
    void anHqqJobNeedsNoCalibrationAndItsVariantSaysHqq() throws Exception {
        registry.enqueue(job("job-3", "hqq", null));
        start();

        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result; log:%n%s", log).isNotNull();
        assertThat(posted.result()).as("%s", posted.result()).containsEntry("status", "SUCCEEDED");
        assertThat(posted.file()).isNotNull();
        assertThat(String.valueOf(posted.result())).contains("HQQ");
    }

    private Map<String, Object> job(String id, String algorithm, Map<String, Object> dataset) {
        Map<String, Object> job = WorkerDaemonTest.quantizeJob(id, FakeRegistry.sha256(checkpoint), "int4-weight",
                dataset);
        @SuppressWarnings("unchecked")
        Map<String, Object> recipe = (Map<String, Object>) job.get("recipe");
        recipe.put("calibrationMethod", null);
        recipe.put("algorithm", algorithm);
        return job;
    }

    private void start() {
        daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), FakeRegistry.TOKEN).withName("gptq-worker")
                .withWorkDir(workDir.resolve("scratch")).withClaimWait(Duration.ofSeconds(1))
                .withLog(new PrintStream(log, true, StandardCharsets.UTF_8)));
    }
}
