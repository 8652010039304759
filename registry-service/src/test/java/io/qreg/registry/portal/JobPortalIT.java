package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The job pages as a browser without JavaScript sees them, the live progress stream a script
 * would read, and who may cancel: the button only for engineers, and the server refusing the rest.
 */
class JobPortalIT extends JobTestSupport {

    @Test
    void aJobPageShowsItsStateAndHistoryAndTheStreamFollowsItToTheEnd() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        String jobId = submitQuantize(engineer);
        TestWorker worker = newWorker();
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        ok(worker.heartbeat(jobId, 1, 0.4, "quantizing (int8-dynamic)"), 200);

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var page = viewer.get("/jobs/" + jobId);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("RUNNING", "40 %", "quantizing (int8-dynamic)", "aria-valuenow=\"40\"",
                "claimed by worker " + worker.id, "submitted by", "Refresh", "/jobs/" + jobId + "/events")
                .doesNotContain("Cancel job");

        var running = viewer.get("/jobs?status=RUNNING&type=QUANTIZE");
        assertThat(running.body()).contains("/jobs/" + jobId).contains("data-live=\"true\"");
        assertThat(viewer.get("/jobs?status=SUCCEEDED").body()).doesNotContain("/jobs/" + jobId + "\"");
        assertThat(viewer.get("/jobs?status=SIDEWAYS").statusCode()).isEqualTo(400);

        // The stream starts with the current state, then follows each change until the job ends.
        List<String> first = viewer.events("/jobs/" + jobId + "/events", e -> true, Duration.ofSeconds(10));
        assertThat(first).hasSize(1);
        assertThat(first.get(0)).contains("\"status\":\"RUNNING\"", "\"percent\":40", "quantizing (int8-dynamic)");

        Thread reporter = new Thread(() -> {
            try {
                Thread.sleep(700);
                ok(worker.heartbeat(jobId, 1, 0.9, "hashing the variant"), 200);
                Thread.sleep(700);
                Path out = scratch.resolve("variant.onnx");
                ok(worker.result(jobId, 1, "SUCCEEDED", quantizeFor(worker, claimed, out), Files.readAllBytes(out)),
                        200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        reporter.start();
        List<String> events = viewer.events("/jobs/" + jobId + "/events", e -> e.contains("\"finished\":true"),
                Duration.ofSeconds(20));
        assertThat(events).anySatisfy(e -> assertThat(e).contains("\"percent\":90", "hashing the variant"));
        assertThat(events.get(events.size() - 1)).contains("\"status\":\"SUCCEEDED\"", "\"percent\":100");

        var done = viewer.get("/jobs/" + jobId);
        String variantId = admin().get("/api/v1/jobs/" + jobId).json().get("variantId").asString();
        assertThat(done.body()).contains("SUCCEEDED", "/variants/" + variantId, "hashing the variant",
                "succeeded; produced variant " + variantId).contains("data-live=\"false\"");
    }

    @Test
    void onlyEngineersSeeCancelAndTheServerRefusesEveryoneElse() throws Exception {
        String jobId = submitQuantize(userWith("ENGINEER"));

        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        assertThat(viewer.get("/jobs/" + jobId).body()).contains("QUEUED").doesNotContain("Cancel job");
        var refused = viewer.postForm("/jobs/" + jobId + "/cancel", Map.of("_csrf", viewer.token()));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("does not have a role that allows this");
        assertThat(status(jobId)).isEqualTo("QUEUED");

        // An approver reads everything but may not cancel either.
        FormSession approver = FormSession.signedIn(port, FormSession.person(admin(), "APPROVER"));
        assertThat(approver.get("/jobs/" + jobId).body()).doesNotContain("Cancel job");
        assertThat(approver.postForm("/jobs/" + jobId + "/cancel", Map.of("_csrf", approver.token())).statusCode())
                .isEqualTo(403);

        String engineerName = FormSession.person(admin(), "ENGINEER");
        FormSession engineer = FormSession.signedIn(port, engineerName);
        assertThat(engineer.get("/jobs/" + jobId).body()).contains("Cancel job");
        assertThat(engineer.postForm("/jobs/" + jobId + "/cancel", Map.of()).statusCode())
                .as("no CSRF token, no cancel").isEqualTo(403);
        var cancelled = engineer.postForm("/jobs/" + jobId + "/cancel", Map.of("_csrf", engineer.token()));
        assertThat(cancelled.statusCode()).isEqualTo(302);
        assertThat(cancelled.headers().firstValue("Location").orElseThrow()).endsWith("/jobs/" + jobId);
        assertThat(status(jobId)).isEqualTo("CANCELLED");
        var after = engineer.get("/jobs/" + jobId);
        assertThat(after.body()).contains("The job was cancelled.", "cancelled by " + engineerName)
                .doesNotContain("Cancel job");

        var again = engineer.postForm("/jobs/" + jobId + "/cancel", Map.of("_csrf", engineer.token()));
        assertThat(again.statusCode()).isEqualTo(302);
        assertThat(engineer.get("/jobs/" + jobId).body()).contains("cannot be cancelled");
    }

    @Test
    void anUnknownJobIsAnErrorPageNotJson() throws Exception {
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        var missing = viewer.get("/jobs/00000000-0000-0000-0000-000000000001");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(missing.body()).contains("There is nothing at this address");
        assertThat(viewer.get("/jobs/not-a-job").statusCode()).isEqualTo(404);
    }

    private String status(String jobId) {
        return admin().get("/api/v1/jobs/" + jobId).json().get("status").asString();
    }
}
