package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import tools.jackson.databind.JsonNode;

/**
 * An engineer's whole path through the portal in a real Chromium, against a real worker: the same
 * daemon a remote worker runs (quantizing with the engine, evaluating and benchmarking with ONNX
 * Runtime), started here for this class only and bound to its own hardware target by a label so it
 * takes no other test's jobs. Upload the checkpoint through the model page's form, start a
 * quantization with evaluation and benchmark follow-ups, watch the job page follow it live to the
 * end, then read the chart, the comparison, the variant page and the dashboard. Screenshots of
 * each at laptop (1280 px) and tablet (768 px) widths go to target/screenshots/.
 */
class ModelQuantizeBrowserIT extends BrowserTest {

    private static final String PASSWORD = "engineer-password-1";
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLAIM_WAIT = Duration.ofSeconds(1);

    private WorkerDaemon worker;
    private String target;

    @BeforeAll
    void startWorker() throws Exception {
        // Jobs earlier test classes left queued would otherwise be claimed first.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
        String label = UUID.randomUUID().toString();
        target = unique("browser");
        ok(admin().post("/api/v1/hardware-targets", Map.of("name", target, "labels", Map.of("portal-it", label))),
                201);
        String account = unique("browser-worker");
        ok(admin().post("/api/v1/users", Map.of("username", account, "roles", List.of("WORKER"))), 201);
        String token = ok(admin().post("/api/v1/tokens", Map.of("name", "browser-it", "username", account)), 201)
                .json().get("token").asString();
        Path workDir = Files.createDirectories(Path.of("target", "browser-worker", label)).toAbsolutePath();
        worker = WorkerDaemon.start(WorkerConfig.of(URI.create(url("")), token).withName("browser-it-worker")
                .withLabels(Map.of("portal-it", label)).withWorkDir(workDir).withClaimWait(CLAIM_WAIT)
                .withShutdownGrace(Duration.ofSeconds(5)).withBenchmark(10, 2));
        assertThat(worker.awaitRegistration(Duration.ofSeconds(30))).as("the worker registered").isTrue();
    }

    @AfterAll
    void stopWorker() throws InterruptedException {
        if (worker != null) {
            worker.stop();
            // A claim the daemon gave up on still waits on the server for up to its claim wait and would
            // take the next test's first job: let those lapse before the next test class starts.
            Thread.sleep(CLAIM_WAIT.toMillis() + 500);
        }
    }

    @Test
    void anEngineerUploadsQuantizesWatchesItFinishAndComparesTheVariants() throws Exception {
        String model = unique("digits");
        ok(admin().post("/api/v1/models", Map.of("name", model, "task", "classification", "owner", "vision",
                "description", "Handwritten digits, 8×8 pixels.")), 201);
        String calibration = unique("digits-calib");
        ok(admin().upload("/api/v1/datasets", Map.of("name", calibration, "purpose", "calibration"),
                Fixtures.bytes("digits_calib_x.npy"), "input.npy"), 201);
        String evaluation = unique("digits-eval");
        ok(admin().upload("/api/v1/datasets", Map.of("name", evaluation, "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                        "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip"), 201);
        Path onnx = Fixtures.copyTo(Files.createTempDirectory("browser-it"), "digits_mlp.onnx").toAbsolutePath();

        logIn(person(PASSWORD, "ENGINEER"), PASSWORD);

        // Upload the checkpoint through the model page's form.
        browser.get(url("/models/" + model));
        browser.findElement(By.id("upload-file")).sendKeys(onnx.toString());
        browser.findElement(By.id("upload-version")).sendKeys("1.0.0");
        browser.findElement(By.id("upload-license")).sendKeys("MIT");
        press(By.xpath("//button[normalize-space()='Upload checkpoint']"));
        waitUntil(Duration.ofSeconds(20), () -> browser.getPageSource().contains("Checkpoint 1.0.0 uploaded"));

        // Start a quantization with calibration, then evaluation and benchmark, on this worker's target.
        new Select(browser.findElement(By.id("quantize-method"))).selectByValue("int8-dynamic");
        new Select(browser.findElement(By.id("quantize-calibration"))).selectByValue(calibration + "@1");
        new Select(browser.findElement(By.id("quantize-evaluation"))).selectByValue(evaluation + "@1");
        new Select(browser.findElement(By.id("quantize-target"))).selectByValue(target);
        assertThat(browser.findElement(By.id("quantize-benchmark")).isSelected()).isTrue();
        press(By.xpath("//button[normalize-space()='Start quantization']"));
        waitUntil(Duration.ofSeconds(20), () -> browser.getCurrentUrl().contains("/jobs/"));
        String jobId = browser.getCurrentUrl().substring(browser.getCurrentUrl().lastIndexOf('/') + 1);

        // The page as loaded says QUEUED or RUNNING; the event stream moves it on, and once the job has
        // finished the script shows SUCCEEDED and reloads the page, which then links the variant. The
        // browser's own navigation record tells that reload from the first load.
        waitUntil(JOB_TIMEOUT, () -> "SUCCEEDED".equals(jobStatusShown())
                && !browser.findElements(By.cssSelector("a.qreg-variant-link")).isEmpty());
        assertThat(js("return performance.getEntriesByType('navigation')[0].type;"))
                .as("the script reloaded the page when the stream said the job had finished").isEqualTo("reload");
        WebElement variantLink = browser.findElement(By.cssSelector("a.qreg-variant-link"));
        String variantId = variantLink.getAttribute("href").replaceAll(".*/variants/", "");
        assertThat(browser.getPageSource()).contains("claimed by worker", "succeeded; produced variant");
        screenshot("job-page", 1280);

        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        awaitJobs(job.get("followUpJobIds"));

        // A second variant (fp16) through the API, so the chart and the comparison have two to show.
        ok(admin().post("/api/v1/recipes", Map.of("name", model + "-fp16", "method", "fp16")), 201);
        JsonNode second = ok(admin().post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId",
                job.get("checkpointId").asString(), "recipe", Map.of("name", model + "-fp16", "version", 1),
                "hardwareTarget", target, "followUps", List.of(
                        Map.of("type", "EVALUATE", "dataset", Map.of("name", evaluation, "version", 1),
                                "hardwareTarget", target),
                        Map.of("type", "BENCHMARK", "hardwareTarget", target)))), 202).json();
        awaitJobs(HttpApi.JSON.readTree("[\"" + second.get("id").asString() + "\"]"));
        awaitJobs(admin().get("/api/v1/jobs/" + second.get("id").asString()).json().get("followUpJobIds"));

        // The model page: both variants in the table and as chart points drawn as SVG by variants-chart.js.
        browser.get(url("/models/" + model));
        waitUntil(Duration.ofSeconds(15), () -> Boolean.TRUE.equals(js(
                "return document.querySelectorAll('#variant-chart a.qreg-vchart-point').length > 0;")));
        Object points = js("return JSON.parse(document.getElementById('variant-chart-data').textContent).points.length;");
        assertThat(((Number) points).intValue()).isEqualTo(2);
        assertThat(browser.findElements(By.cssSelector("#variant-chart a.qreg-vchart-point"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector("table.qreg-variants tbody tr"))).hasSize(2);
        screenshot("model-page", 1280);
        tabletScreenshot("model-page-tablet");

        // Tick both rows and compare them side by side.
        browser.findElements(By.cssSelector("table.qreg-variants input[name=v]")).forEach(this::press);
        press(By.xpath("//button[normalize-space()='Compare two selected variants']"));
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("/compare?a="));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Compare variants");
        assertThat(browser.getPageSource()).contains("Benchmark on " + target, "Evaluation on " + evaluation);
        screenshot("compare-page", 1280);

        // The variant page: the lineage graph and the per-layer sensitivity chart.
        browser.get(url("/variants/" + variantId));
        waitUntil(Duration.ofSeconds(15), () -> Boolean.TRUE.equals(js(
                "return document.querySelectorAll('#sensitivity-chart .qreg-schart-bar').length > 0;")));
        assertThat(browser.findElements(By.cssSelector("svg.qreg-lineage g.qreg-lineage-node")).size())
                .as("checkpoint, recipe, calibration, variant, evaluation, benchmark, approvals, rollouts")
                .isGreaterThanOrEqualTo(8);
        assertThat(browser.findElements(By.cssSelector("svg.qreg-lineage a"))).isNotEmpty();
        assertThat(browser.getPageSource()).contains("policy", calibration + "@1", "Engine report");
        // The comparison with the checkpoint the engine measured: flip rate and calibration error rows and the
        // per-class flips (which classes, if any, changed predictions).
        List<String> metricRows = browser.findElements(By.cssSelector("article.qreg-result tbody th[scope=row]"))
                .stream().map(WebElement::getText).toList();
        assertThat(metricRows).contains("flipRate", "expectedCalibrationError", "top1Agreement");
        assertThat(browser.findElement(By.cssSelector("details.qreg-class-flips summary")).getText())
                .startsWith("Flip rate by class:").contains("10 classes");
        screenshot("variant-page", 1280);
        tabletScreenshot("variant-page-tablet");

        browser.get(url("/"));
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
        assertThat(browser.getPageSource()).contains("/jobs/" + jobId, "browser-it-worker");
        screenshot("dashboard", 1280);
        tabletScreenshot("dashboard-tablet");

        browser.get(url("/jobs"));
        screenshot("jobs-page", 1280);
        tabletScreenshot("jobs-page-tablet");
    }

    private String jobStatusShown() {
        try {
            List<WebElement> status = browser.findElements(By.cssSelector("#job-live [data-field=status]"));
            return status.isEmpty() ? null : status.get(0).getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null; // the page is reloading
        }
    }

    private void awaitJobs(JsonNode ids) {
        for (JsonNode id : ids) {
            waitUntil(JOB_TIMEOUT, () -> {
                String status = admin().get("/api/v1/jobs/" + id.asString()).json().get("status").asString();
                assertThat(status).as("job " + id.asString()).isNotIn("FAILED", "CANCELLED");
                return "SUCCEEDED".equals(status);
            });
        }
    }

    /**
     * The page at tablet width: nothing may stick out sideways (wide tables scroll inside their own
     * box), and the screenshot's height is measured at that width, where the page is taller.
     */
    private void tabletScreenshot(String name) throws InterruptedException {
        Dimension laptop = browser.manage().window().getSize();
        browser.manage().window().setSize(new Dimension(768, laptop.getHeight()));
        try {
            Thread.sleep(400); // charts redraw at the new width on their resize observer
            Object overflow = js("var w = document.documentElement.clientWidth;"
                    + " if (document.documentElement.scrollWidth <= w) { return null; }"
                    + " var wide = Array.from(document.querySelectorAll('body *')).filter(function (e) {"
                    + "   return e.getBoundingClientRect().right > w + 1 && !e.closest('.table-responsive,"
                    + " .qreg-lineage-scroll'); });"
                    + " return wide.slice(-3).map(function (e) { return e.outerHTML.substring(0, 160); }).join(' | ');");
            assertThat(overflow).as(name + ": elements wider than a tablet").isNull();
            screenshot(name, 768);
        } finally {
            browser.manage().window().setSize(laptop);
        }
    }

    /** Clicks like a person: the element scrolled to the middle of the window first. */
    private void press(By locator) {
        press(browser.findElement(locator));
    }

    private void press(WebElement element) {
        // Instantly: Bootstrap makes scrolling smooth, and a click mid-animation lands on the wrong spot.
        ((JavascriptExecutor) browser).executeScript(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element);
        try {
            element.click();
        } catch (org.openqa.selenium.ElementClickInterceptedException e) {
            screenshot("debug-intercepted", 1280);
            Object over = js("var r = arguments[0].getBoundingClientRect();"
                    + " var el = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);"
                    + " return JSON.stringify([r.x, r.y, window.innerWidth, window.innerHeight, window.scrollY,"
                    + " el ? el.outerHTML.substring(0, 300) : null]);", element);
            throw new AssertionError("click intercepted: " + over, e);
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }
}
