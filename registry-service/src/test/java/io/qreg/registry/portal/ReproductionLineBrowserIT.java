package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.job.TestWorker;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import tools.jackson.databind.JsonNode;

/** The variant page's reproduction line in a real Chromium: where and when the variant was reproduced, and how. */
class ReproductionLineBrowserIT extends BrowserTest {

    @Test
    void theVariantPageSaysReproducedOnTheWorkerAtItsTimeIdentical() {
        // Jobs other tests left queued would be this worker's to claim first.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
        String model = unique("repro-page");
        HttpApi admin = admin();
        ok(admin.post("/api/v1/models", Map.of("name", model, "task", "classification")), 201);
        String checkpoint = ok(admin.upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", "1.0.0",
                "license", "MIT"), io.qreg.registry.support.Fixtures.bytes("digits_mlp.onnx"), "mlp.onnx"), 201)
                .json().get("id").asString();
        String recipe = unique("repro-page");
        ok(admin.post("/api/v1/recipes", Map.of("name", recipe, "method", "int8-dynamic")), 201);
        TestWorker worker = TestWorker.register(userWith("WORKER"), Map.of(), List.of());
        byte[] bytes = ("variant " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        String variant = run(worker, ok(admin.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId",
                checkpoint, "recipe", Map.of("name", recipe, "version", 1))), 202).json(), bytes).get("variantId")
                .asString();
        run(worker, ok(admin.post("/api/v1/variants/" + variant + "/reproduce", Map.of()), 202).json(), bytes);
        String workerName = jdbc.queryForObject("select name from worker where id = ?::uuid", String.class, worker.id);

        String viewer = person("viewer-password-r", "VIEWER");
        logIn(viewer, "viewer-password-r");
        browser.get(url("/variants/" + variant));
        waitUntil(Duration.ofSeconds(5), () -> !browser.findElements(By.id("reproduction")).isEmpty());

        WebElement line = browser.findElement(By.id("reproduction"));
        assertThat(line.isDisplayed()).isTrue();
        assertThat(line.findElement(By.tagName("dt")).getText()).isEqualToIgnoringCase("Reproduced");
        WebElement outcome = line.findElement(By.tagName("dd"));
        assertThat(outcome.getText()).startsWith("reproduced on " + workerName + " at ").endsWith(": identical");
        assertThat(outcome.getAttribute("class")).contains("text-success");
        screenshot("variant-reproduced", 1280);
    }

    /** The worker claims the queued job and reports these bytes. */
    private static JsonNode run(TestWorker worker, JsonNode queued, byte[] bytes) {
        JsonNode claimed = ok(worker.claim("5s"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(queued.get("id").asString());
        return ok(worker.result(queued.get("id").asString(), 1, "SUCCEEDED", Map.of("engineVersion", "0.1.0-SNAPSHOT"),
                bytes), 200).json();
    }

    private static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }
}
