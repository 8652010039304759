package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * The deployment page in a real Chromium: an engineer advances a rollout (confirming in the
 * browser's dialog) and sees the routing weights change; a viewer sees no rollout buttons and the
 * server refuses the advance form posted with their session anyway.
 */
class DeploymentBrowserIT extends BrowserTest {

    /**
     * Models, variants, deployments and real approvals, made as the rollout tests make them. A
     * browser test cannot also extend RolloutTestSupport, so this borrows it with the same server.
     */
    static final class Data extends RolloutTestSupport {

        Data(int port, JdbcTemplate jdbc) {
            super(port, jdbc);
        }

        @Override
        public HttpApi engineer() {
            return super.engineer();
        }

        @Override
        public Model model(String redistribution) {
            return super.model(redistribution);
        }

        @Override
        public String variant(Model model, String method) {
            return super.variant(model, method);
        }

        @Override
        public String deployment(Model model, List<Map<String, Object>> tiers) {
            return super.deployment(model, tiers);
        }

        @Override
        public JsonNode makeStable(String deployment, String variantId, String environment, String tier) {
            return super.makeStable(deployment, variantId, environment, tier);
        }

        @Override
        public HttpApi.Reply startRollout(String deployment, String variantId, String environment, String tier,
                List<Integer> steps, Object... extra) {
            return super.startRollout(deployment, variantId, environment, tier, steps, extra);
        }

        @Override
        public void addBenchmark(String variantId, double speedup) {
            super.addBenchmark(variantId, speedup);
        }

        @Override
        public HttpApi.Reply startCheckpointRollout(String deployment, Model model, String environment, String tier,
                List<Integer> steps) {
            return super.startCheckpointRollout(deployment, model, environment, tier, steps);
        }
    }

    private String deployment;
    private String rolloutId;

    @BeforeAll
    void aDeploymentWithARolloutAtItsFirstStep() throws InterruptedException {
        Data data = new Data(port, jdbc);
        RolloutTestSupport.Model model = data.model("allowed");
        deployment = data.deployment(model, List.of(Map.of("name", "premium", "precision", "fp32"),
                Map.of("name", "standard", "default", true)));
        String stable = data.variant(model, "int8-dynamic");
        String candidate = data.variant(model, "int8-dynamic");
        data.makeStable(deployment, stable, "production", "standard");
        // Premium serves the registered FP32 checkpoint, which also makes it standard's low-confidence fallback.
        assertThat(data.startCheckpointRollout(deployment, model, "production", "premium", List.of(5, 25, 100))
                .status()).isEqualTo(201);
        // One-second intervals, one passing interval a step, advanced by a person: the gateway's reports
        // pass the first step's analysis here, so the page offers the plain advance.
        rolloutId = data.startRollout(deployment, candidate, "production", "standard", List.of(5, 25, 100),
                "analysis", Map.of("intervalSeconds", 1, "successfulIntervals", 1, "autoAdvance", false)).json()
                .get("id").asString();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        boolean passed = false;
        while (!passed && System.nanoTime() < deadline) {
            assertThat(data.engineer().post("/api/v1/rollouts/" + rolloutId + "/health", Map.of("errorRate", 0.002,
                    "p99LatencyMs", 41.5, "qualityProxy", 0.97, "requests", 120)).status()).isEqualTo(200);
            passed = data.engineer().get("/api/v1/rollouts/" + rolloutId).json().get("analysis").get("currentStep")
                    .get("passed").asBoolean();
            if (!passed) {
                Thread.sleep(200);
            }
        }
        assertThat(passed).as("the first step's analysis passes on healthy reports").isTrue();
    }

    private WebElement bar(String role) {
        return browser.findElement(By.cssSelector("#tier-standard .qreg-weight-" + role));
    }

    private static String weightText(WebElement bar) {
        return bar.findElement(By.className("qreg-weight-value")).getText();
    }

    /** The drawn bar's width as a share of its track. */
    private static double drawnShare(WebElement bar) {
        double fill = bar.findElement(By.className("qreg-weight-fill")).getRect().getWidth();
        double track = bar.findElement(By.className("qreg-weight-track")).getRect().getWidth();
        return fill / track;
    }

    @Test
    void anEngineerAdvancesTheRolloutAndSeesTheWeightsChange() {
        String engineer = person("engineer-password-1", "ENGINEER");
        logIn(engineer, "engineer-password-1");
        browser.get(url("/deployments/" + deployment + "?environment=production"));

        assertThat(weightText(bar("stable"))).isEqualTo("95%");
        assertThat(weightText(bar("canary"))).isEqualTo("5%");
        assertThat(drawnShare(bar("canary"))).isCloseTo(0.05, within(0.02));
        assertThat(browser.findElement(By.cssSelector("#tier-standard [aria-current=step]")).getText()).contains("5%");
        assertThat(browser.findElement(By.cssSelector("#tier-standard .qreg-analysis")).getText())
                .contains("1 of 1 passing intervals").contains("passed");

        click(browser.findElement(By.xpath("//button[normalize-space()='Advance to 25%']")));
        // deployments.js asks in the browser's own dialog instead of the confirmation page.
        new WebDriverWait(browser, Duration.ofSeconds(5)).until(ExpectedConditions.alertIsPresent());
        assertThat(browser.switchTo().alert().getText()).contains("25%");
        browser.switchTo().alert().accept();
        waitUntil(Duration.ofSeconds(10), () -> browser.findElements(By.cssSelector("[role=status]")).stream()
                .anyMatch(e -> e.getText().contains("Rollout advanced")));

        assertThat(weightText(bar("stable"))).isEqualTo("75%");
        assertThat(weightText(bar("canary"))).isEqualTo("25%");
        assertThat(bar("canary").findElement(By.className("qreg-weight-fill")).getAttribute("style"))
                .contains("width: 25%");
        assertThat(drawnShare(bar("canary"))).isCloseTo(0.25, within(0.02));
        assertThat(drawnShare(bar("stable"))).isCloseTo(0.75, within(0.02));
        assertThat(browser.findElement(By.cssSelector("#tier-standard [aria-current=step]")).getText()).contains("25%");
        assertThat(browser.findElements(By.cssSelector("#tier-standard .qreg-step-done"))).hasSize(1);
        // The new step's analysis starts over: until it passes, only a forced advance (with a reason) is offered.
        assertThat(browser.findElement(By.cssSelector("#tier-standard .qreg-analysis")).getText())
                .contains("of 1 passing intervals");

        assertThat(browser.findElement(By.cssSelector("#tier-standard")).getText())
                .contains("Low-confidence answers are re-sent to checkpoint");

        topScreenshot("deployment-page", 1280);
        topScreenshot("deployment-page-768", 768);

        // The confirmation page a browser without JavaScript gets (the form marked as already confirmed
        // by the script, so it posts plainly): it explains the move and acts only on its own form.
        WebElement pause = browser.findElement(By.cssSelector("form[data-action=pause]"));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("arguments[0].dataset.confirmed = 'skip';",
                pause);
        click(pause.findElement(By.tagName("button")));
        waitUntil(Duration.ofSeconds(10), () -> browser.findElement(By.tagName("h1")).getText().startsWith("Pause"));
        assertThat(browser.findElement(By.cssSelector("main")).getText()).contains("The rollout holds at 25%")
                .contains("Traffic split now");
        topScreenshot("rollout-confirm", 1280);
        click(browser.findElement(By.linkText("Cancel")));
        assertThat(weightText(bar("canary"))).isEqualTo("25%");
        assertThat(browser.findElement(By.cssSelector("#tier-standard .qreg-phase")).getText()).isEqualTo("PROGRESSING");

        click(browser.findElement(By.linkText("Revisions and diffs")));
        assertThat(browser.findElement(By.cssSelector(".qreg-revisions tbody tr")).getText())
                .contains("canary v-").contains("5% → 25%");
        topScreenshot("routing-revisions", 1280);
        click(browser.findElement(By.cssSelector("a[aria-label^='Diff of revision']")));
        assertThat(browser.findElements(By.cssSelector(".qreg-diff-added"))).isNotEmpty();
        assertThat(browser.findElements(By.cssSelector(".qreg-diff-removed"))).isNotEmpty();
        topScreenshot("routing-diff", 1280);
    }

    @Test
    void aViewerSeesNoRolloutButtonsAndTheServerRefusesTheAdvanceForm() throws Exception {
        String viewer = person("viewer-password-1", "VIEWER");
        logIn(viewer, "viewer-password-1");
        browser.get(url("/deployments/" + deployment + "?environment=production"));
        assertThat(browser.findElements(By.cssSelector("#tier-standard .qreg-weight"))).hasSize(2);
        assertThat(browser.findElements(By.cssSelector(".qreg-moves, .qreg-move, #start"))).isEmpty();
        assertThat(browser.findElements(By.tagName("button")).stream().map(WebElement::getText))
                .containsExactly("Sign out");
        int stepBefore = stepIndex();

        // What a hidden button would have posted, with the viewer's own session and CSRF token.
        String csrf = browser.findElement(By.cssSelector("meta[name=_csrf]")).getAttribute("content");
        String session = browser.manage().getCookieNamed("JSESSIONID").getValue();
        HttpResponse<String> refused = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url("/deployments/" + deployment + "/rollouts/" + rolloutId + "/advance")))
                .header("Cookie", "JSESSIONID=" + session).header("Accept", "text/html")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("confirmed=true&_csrf="
                        + URLEncoder.encode(csrf, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(stepIndex()).isEqualTo(stepBefore);
        // The session and token were good: the same session still reads the page.
        browser.navigate().refresh();
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo(deployment);

        browser.get(url("/deployments"));
        assertThat(browser.findElement(By.cssSelector(".qreg-active-rollouts")).getText()).contains(deployment)
                .contains("Error rate").contains("0.2%");
        topScreenshot("deployments-list", 1280);
    }

    /**
     * Clicks after scrolling the element to the middle at once: Bootstrap makes scrolling smooth, and
     * a click on an element still gliding into view (after a #anchor scrolled the page) is intercepted.
     */
    private void click(WebElement element) {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element);
        element.click();
    }

    /** A screenshot of the whole page from its top (a followed #anchor leaves it scrolled) at the width. */
    private void topScreenshot(String name, int width) {
        browser.manage().window().setSize(new Dimension(width, 900));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.scrollTo({top: 0, behavior: 'instant'});");
        screenshot(name, width);
        browser.manage().window().setSize(new Dimension(1280, 900));
    }

    private int stepIndex() {
        return admin().get("/api/v1/rollouts/" + rolloutId).json().get("stepIndex").asInt();
    }
}
