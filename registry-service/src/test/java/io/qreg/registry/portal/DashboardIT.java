package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.classification;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.qreg.registry.job.JobTestSupport;
import io.qreg.registry.job.TestWorker;
import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

/**
 * The dashboard without JavaScript: recent jobs with their progress, the worker fleet, variants
 * that failed their policy apart from those with no evidence yet, and the approvals slot listing
 * what the signed-in person may sign.
 */
class DashboardIT extends JobTestSupport {

    @Test
    void theDashboardShowsJobsFleetFailuresAndWhatAwaitsMySignoff() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        String failingModel = maker.model(engineer, "classification", "standard");
        String failing = maker.evaluatedVariant(engineer, failingModel, "int4-weight",
                classification(0.80, 0.96, 0.70));
        String passingModel = maker.model(engineer, "classification", "standard");
        String passing = maker.evaluatedVariant(engineer, passingModel, "int8-dynamic",
                classification(0.955, 0.96, 0.99));
        String unmeasured = maker.quantize(engineer, maker.model(engineer, "classification", "standard"),
                "int8-dynamic");
        ok(engineer.post("/api/v1/deployments", Map.of("name", passingModel, "modelName", passingModel,
                "environments", java.util.List.of("production"), "tiers", java.util.List.of(
                        Map.of("name", "standard", "default", true)))), 201);
        String approval = ok(userWith("ENGINEER").post("/api/v1/approvals", Map.of("variantId", passing,
                "deployment", passingModel, "environment", "production", "tier", "standard")), 201)
                .json().get("id").asString();

        String jobId = submitQuantize(engineer);
        TestWorker worker = newWorker();
        ok(worker.claim("5s"), 200);
        ok(worker.heartbeat(jobId, 1, 0.25, "calibrating"), 200);
        ok(newWorker().deregister(), 200);

        FormSession approver = FormSession.signedIn(port, FormSession.person(admin(), "APPROVER"));
        var page = approver.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        String html = page.body();
        assertThat(html).contains("Recent jobs", "/jobs/" + jobId, "25 %", "calibrating", "data-live=\"true\"",
                "job-progress.js");
        assertThat(html).contains("Worker fleet", "busy", "Test CPU · 2 cores · amd64");
        assertThat(html).as("a deregistered worker is stopped, not lost")
                .contains("class=\"badge qreg-worker-stopped\">stopped</span>").containsPattern("[1-9][0-9]* stopped<");
        // Failing on evidence and lacking evidence are two lists; a passing variant is in neither.
        String failed = slot(html, "failed-variants", "no-evidence-heading");
        assertThat(failed).contains("Variants that failed their policy", "/variants/" + failing, failingModel,
                "maxAccuracyDrop").doesNotContain("/variants/" + passing + "\"", "/variants/" + unmeasured + "\"");
        String awaiting = slot(html, "awaiting-evidence", "</section>");
        assertThat(html).contains("Variants with no evidence yet");
        assertThat(awaiting).contains("/variants/" + unmeasured + "\"", "no evaluation yet")
                .doesNotContain("/variants/" + failing + "\"", "/variants/" + passing + "\"");
        assertThat(html).contains("data-slot=\"pending-approvals\"", "Pending approvals for me",
                "/approvals/" + approval, passingModel);
        assertThat(html).contains("data-slot=\"active-rollouts\"", "Active rollouts");
        assertThat(html).contains("Checkpoints", "Recipes", "Datasets", "Recent models");

        // A viewer may sign nothing: the slot says so rather than listing others' requests.
        FormSession viewer = FormSession.signedIn(port, FormSession.person(admin(), "VIEWER"));
        assertThat(viewer.get("/").body()).contains("Nothing is waiting for your sign-off")
                .doesNotContain("/approvals/" + approval);
    }

    /** The part of the page from the element marked data-slot="name" up to the marker that follows it. */
    private static String slot(String html, String name, String end) {
        int from = html.indexOf("data-slot=\"" + name + "\"");
        assertThat(from).as("the dashboard has the " + name + " slot").isPositive();
        return html.substring(from, html.indexOf(end, from));
    }
}
