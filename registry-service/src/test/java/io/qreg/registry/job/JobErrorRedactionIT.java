package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** A worker's failure text keeps its meaning for viewers but loses the servers' file paths. */
class JobErrorRedactionIT extends JobTestSupport {

    private static final String ERROR = "[Errno 2] No such file or directory: '/tmp/qreg-worker-7/in/model.onnx'"
            + " (staged from C:\\qreg\\work\\cache\\model.onnx)";

    @Test
    void aFailedJobShowsItsErrorWithoutServerPathsInTheApiTheLogAndThePortal() {
        HttpApi engineer = userWith("ENGINEER");
        HttpApi viewer = userWith("VIEWER");
        TestWorker worker = newWorker();
        String jobId = submitQuantize(engineer);
        ok(worker.claim("0"), 200);
        ok(worker.result(jobId, 1, "FAILED", Map.of("error", ERROR, "retryable", false), null), 200);

        JsonNode job = ok(viewer.get("/api/v1/jobs/" + jobId), 200).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        String shown = job.get("error").asString();
        assertThat(shown).contains("No such file or directory", "…/model.onnx", "…\\model.onnx")
                .doesNotContain("/tmp/", "qreg-worker-7", "C:\\", "cache");

        String page = ok(viewer.get("/jobs/" + jobId), 200).body();
        assertThat(page).contains("No such file or directory").doesNotContain("/tmp/qreg-worker-7")
                .doesNotContain("qreg\\work");

        // Operators with database access still have the whole text.
        assertThat(jdbc.queryForObject("select error from job where id = ?::uuid", String.class, jobId))
                .contains("/tmp/qreg-worker-7/in/model.onnx");
    }
}
