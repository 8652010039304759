package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.BrowserTest;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.logging.LogEntry;

/**
 * The portal under its Content-Security-Policy in a real Chromium: the dashboard, a model page (with its
 * chart), a job page and a deployment page load their styles and scripts and draw their chart, and the
 * browser's console reports no CSP violation on any of them.
 */
class ContentSecurityPolicyBrowserIT extends BrowserTest {

    private static final String PASSWORD = "csp-viewer-password";

    private String model;
    private String jobId;
    private String deployment;

    @BeforeAll
    void aModelWithAnEvaluatedBenchmarkedVariantAndADeployment() {
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        model = maker.model(engineer, "classification", "standard");
        String variant = maker.quantize(engineer, model, "int8-dynamic");
        maker.evaluate(engineer, variant, VariantMaker.classification(0.95, 0.96, 0.98));
        // The model page's chart plots a variant once it has both a quality figure and a speed-up.
        maker.benchmark(engineer, variant, maker.hardwareTarget("csp-cpu"), 1.7, 2.5, 1_000_000);
        jobId = jdbc.queryForObject("select id::text from job where variant_id = ?::uuid and type = 'QUANTIZE'",
                String.class, variant);
        deployment = maker.deployment(engineer, model);
    }

    @Test
    void portalPagesWorkUnderTheirContentSecurityPolicyWithNoViolation() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        consoleEntries(); // what signing in logged is not under test

        Map<String, String> pages = Map.of("dashboard", "/", "model page", "/models/" + model,
                "job page", "/jobs/" + jobId,
                "deployment page", "/deployments/" + deployment + "?environment=production");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            browser.get(url(page.getValue()));
            waitUntil(Duration.ofSeconds(10), () -> Boolean.TRUE.equals(script(
                    "return document.readyState === 'complete' && typeof window.htmx !== 'undefined'"
                            + " && typeof window.bootstrap !== 'undefined';")));
            // Bootstrap's stylesheet and qreg.css applied: the navigation bar is Bootstrap's dark one.
            assertThat(script("return getComputedStyle(document.querySelector('.navbar')).backgroundColor;"))
                    .as(page.getKey()).isEqualTo("rgb(33, 37, 41)");
            if (page.getKey().equals("model page")) {
                try {
                    waitUntil(Duration.ofSeconds(10), () -> Boolean.TRUE.equals(script(
                            "return document.querySelectorAll('#variant-chart .qreg-vchart-point').length > 0;")));
                } catch (org.openqa.selenium.TimeoutException e) {
                    throw new AssertionError("no chart drawn on " + page.getValue() + "; chart helper: "
                            + script("return typeof window.QregSvgChart;") + ", points: "
                            + script("return document.querySelectorAll('#variant-chart *').length;") + ", console: "
                            + consoleEntries().stream().map(LogEntry::getMessage).toList(), e);
                }
            }
            assertThat(violations(consoleEntries())).as(page.getKey() + " " + page.getValue()).isEmpty();
        }

        // The check above can see a violation: an inline script, which the policy refuses, is reported.
        script("var s = document.createElement('script'); s.textContent = 'window.inlineRan = true;';"
                + " document.body.appendChild(s); return null;");
        assertThat(script("return window.inlineRan === true;")).isEqualTo(false);
        assertThat(violations(consoleEntries())).isNotEmpty();
    }

    @Test
    void theApiReferenceRendersUnderThePolicyWithNoViolation() {
        logIn(person(PASSWORD, "VIEWER"), PASSWORD);
        consoleEntries();
        browser.get(url("/swagger-ui.html"));
        waitUntil(Duration.ofSeconds(20), () -> Boolean.TRUE.equals(script(
                "return document.querySelectorAll('.swagger-ui .opblock').length > 20;")));
        assertThat(violations(consoleEntries())).isEmpty();
        HttpApi.Reply page = admin().get("/swagger-ui/index.html");
        assertThat(page.header("Content-Security-Policy")).startsWith("default-src 'self'; script-src 'self';")
                .contains("style-src 'self' 'unsafe-inline'");
    }

    private Object script(String javascript) {
        return ((JavascriptExecutor) browser).executeScript(javascript);
    }

    private List<LogEntry> consoleEntries() {
        return browser.manage().logs().get("browser").getAll();
    }

    private static List<String> violations(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Refused to")).toList();
    }
}
