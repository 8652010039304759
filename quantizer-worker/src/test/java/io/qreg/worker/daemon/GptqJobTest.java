package io.qreg.worker.daemon;

import static io.qreg.engine.eval.Fixtures.path;
import static io.qreg.worker.daemon.DaemonJobs.calibrationDataset;
import static io.qreg.worker.daemon.DaemonJobs.quantizeJob;
import static io.qreg.worker.daemon.DaemonJobs.recipeOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker daemon on recipes with a weight-only algorithm: GPTQ with a calibration dataset succeeds and its
 * report names the algorithm; GPTQ without one reaches the registry as a FAILED job (not retried) with the reason;
 * HQQ needs no calibration data.
 */
class GptqJobTest extends DaemonTest {

    @Test
    void aGptqJobWithCalibrationDataSucceedsAndTheReportNamesGptq() throws Exception {
        Map<String, Object> dataset = calibrationDataset(registry, Files.readAllBytes(path("digits_calib_x.npy")));
        registry.enqueue(job("job-1", "gptq", dataset));
        start();

        FakeRegistry.Posted posted = worker.awaitResult();
        assertThat(posted.result()).as(String.valueOf(posted.result().get("error")))
                .containsEntry("status", "SUCCEEDED");
        @SuppressWarnings("unchecked")
        Map<String, Object> options = (Map<String, Object>) posted.report().get("options");
        assertThat(options).containsEntry("algorithm", "gptq").containsEntry("actOrder", false);
    }

    @Test
    void aGptqJobWithoutCalibrationDataFailsNamingTheField() throws Exception {
        registry.enqueue(job("job-2", "gptq", null));
        start();

        FakeRegistry.Posted posted = worker.awaitResult();
        assertThat(posted.result()).containsEntry("status", "FAILED").containsEntry("retryable", false);
        assertThat((String) posted.result().get("error")).contains("gptq").contains("calibrationDataset");
        assertThat(posted.file()).isNull();
    }

    @Test
    void anHqqJobNeedsNoCalibrationAndItsVariantSaysHqq() throws Exception {
        registry.enqueue(job("job-3", "hqq", null));
        start();

        FakeRegistry.Posted posted = worker.awaitResult();
        assertThat(posted.result()).as("%s", posted.result()).containsEntry("status", "SUCCEEDED");
        assertThat(posted.file()).isNotNull();
        assertThat(String.valueOf(posted.result())).contains("HQQ");
    }

    private Map<String, Object> job(String id, String algorithm, Map<String, Object> dataset) {
        Map<String, Object> job = quantizeJob(id, FakeRegistry.sha256(checkpoint), "int4-weight", dataset);
        recipeOf(job).put("calibrationMethod", null);
        recipeOf(job).put("algorithm", algorithm);
        return job;
    }

    private void start() {
        worker.start(worker.config(workDir.resolve("scratch")).withName("gptq-worker"));
    }
}
