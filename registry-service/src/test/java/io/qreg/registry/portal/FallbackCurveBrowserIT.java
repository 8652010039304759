package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.job.TestWorker;
import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * The variant page draws the variant's selective-routing curve and marks where the model policy's and a deployment
 * tier's fallback operating points land on it. Checked in a real Chromium. The evaluation arrives through the worker
 * protocol (EVALUATE job claimed and answered), with a curve worked out here so the expected marks are known;
 * FallbackThresholdIT measures a real one.
 */
class FallbackCurveBrowserIT extends BrowserTest {

    /** Models, variants and deployments as the rollout tests make them, with the same server. */
    static final class Data extends RolloutTestSupport {

        Data(int port, JdbcTemplate jdbc) {
            super(port, jdbc);
        }

        Model newModel() {
            return model("allowed");
        }

        String newVariant(Model model) {
            return variant(model, "int8-dynamic");
        }

        String newDeployment(Model model, List<Map<String, Object>> tiers) {
            return deployment(model, tiers);
        }

        /** Runs an EVALUATE job of the variant whose worker reports {@code evaluation}. */
        void evaluate(String variantId, Map<String, Object> evaluation) {
            String dataset = unique("eval");
            ok(admin().upload("/api/v1/datasets", Map.of("name", dataset, "purpose", "evaluation"),
                    Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"),
                            "labels.npy", Fixtures.bytes("digits_eval_y.npy"))), "eval.zip"), 201);
            String jobId = ok(engineer().post("/api/v1/jobs", Map.of("type", "EVALUATE", "variantId", variantId,
                    "dataset", Map.of("name", dataset, "version", 1))), 202).json().get("id").asString();
            TestWorker worker = TestWorker.register(userWith("WORKER"), Map.of(), List.of());
            JsonNode claimed = ok(worker.claim("5s"), 200).json();
            assertThat(claimed.get("id").asString()).isEqualTo(jobId);
            ok(worker.result(jobId, claimed.get("attempt").asInt(), "SUCCEEDED", Map.of("evaluation", evaluation),
                    null), 200);
        }

        HttpApi api() {
            return admin();
        }
    }

    /** 21 points: threshold i/20, traffic (i/20)^2, recovery sqrt(i/20) — a variant whose doubt is informative. */
    private static List<Map<String, Object>> points() {
        List<Map<String, Object>> points = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            double t = i / 20.0;
            points.add(Map.of("threshold", t, "traffic", t * t, "recovery", Math.sqrt(t)));
        }
        return points;
    }

    private String variant;
    private String deployment;

    @BeforeAll
    void aVariantWithACurveAndTwoOperatingPoints() {
        Data data = new Data(port, jdbc);
        RolloutTestSupport.Model model = data.newModel();
        variant = data.newVariant(model);
        data.evaluate(variant, Map.of("samples", 500, "metrics", Map.of("accuracy", 0.95, "flipRate", 0.04),
                "selectiveRouting", Map.of("confidence", "maxSoftmaxProbability", "positions", 500,
                        "disagreements", 20, "points", points())));
        assertThat(data.api().put("/api/v1/models/" + model.name() + "/policy",
                Map.of("fallback", Map.of("recoverDisagreements", 0.9))).status()).isEqualTo(200);
        deployment = data.newDeployment(model, List.of(Map.of("name", "standard", "default", true,
                "fallback", Map.of("maxTraffic", 0.05))));
    }

    @Test
    void theVariantPageDrawsTheCurveAndMarksThePolicysAndTheTiersOperatingPoints() {
        String viewer = person("viewer-password-1", "VIEWER");
        logIn(viewer, "viewer-password-1");
        browser.get(url("/variants/" + variant));
        waitUntil(Duration.ofSeconds(5), () -> !browser.findElements(By.id("fallback-curve")).isEmpty());

        WebElement chart = browser.findElement(By.id("fallback-curve"));
        assertThat(chart.isDisplayed()).isTrue();
        assertThat(chart.getSize().getWidth()).isGreaterThan(200);
        String[] drawn = chart.findElement(By.className("qreg-fallback-curve")).getAttribute("points").split(" ");
        assertThat(drawn).as("one vertex per point of the curve").hasSize(21);
        assertThat(drawn[0]).isEqualTo("52.0,248.0"); // nothing re-sent, nothing recovered: the bottom left
        assertThat(drawn[20]).isEqualTo("288.0,12.0"); // everything re-sent and recovered: the top right

        List<WebElement> marks = chart.findElements(By.className("qreg-fallback-mark"));
        assertThat(marks).hasSize(2);
        // The policy's 90% recovery: the first point with sqrt(t) >= 0.9 is t = 0.85 (sqrt 0.9220).
        assertMark(marks.get(0), 0.85);
        // The tier's 5% of traffic: the last point with t^2 <= 0.05 is t = 0.20 (0.04).
        assertMark(marks.get(1), 0.20);
        assertThat(browser.findElement(By.className("qreg-fallback-points")).getText())
                .contains("policy (recover 90% of disagreements): threshold 0.8500")
                .contains(deployment + "/standard (at most 5% of traffic): threshold 0.2000, re-sends 4.0% of traffic");
        screenshot("fallback-curve-variant", 1280);
    }

    private static void assertMark(WebElement mark, double threshold) {
        WebElement circle = mark.findElement(By.tagName("circle"));
        assertThat(circle.isDisplayed()).isTrue();
        assertThat(Double.parseDouble(circle.getAttribute("data-threshold"))).isCloseTo(threshold, within(1e-9));
        // Drawn where the point is: x = 52 + traffic * 236, y = 12 + (1 - recovery) * 236.
        assertThat(Double.parseDouble(circle.getAttribute("cx"))).isCloseTo(52 + threshold * threshold * 236,
                within(1e-6));
        assertThat(Double.parseDouble(circle.getAttribute("cy"))).isCloseTo(12 + (1 - Math.sqrt(threshold)) * 236,
                within(1e-6));
    }

    @Test
    void aVariantWithoutACurveSaysHowToGetOne() {
        Data data = new Data(port, jdbc);
        String bare = data.newVariant(data.newModel());
        String viewer = person("viewer-password-2", "VIEWER");
        logIn(viewer, "viewer-password-2");
        browser.get(url("/variants/" + bare));
        waitUntil(Duration.ofSeconds(5), () -> !browser.findElements(By.id("fallback-heading")).isEmpty());
        assertThat(browser.findElements(By.id("fallback-curve"))).isEmpty();
        assertThat(browser.findElement(By.id("fallback")).getText()).contains("No selective-routing curve yet");
    }
}
