package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.BrowserTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A variant whose approval lapsed while it serves production is an incident a person cannot miss:
 * the dashboard, the deployment page and the variant page each open with a banner naming the
 * deployment, environment, tier, backend and the approval's status. Checked in a real Chromium.
 */
class LapseBannerBrowserIT extends BrowserTest {

    private DeploymentBrowserIT.Data data;
    private String deployment;
    private String variant;

    @BeforeAll
    void aVariantServesProductionUnderALapsedApproval() {
        data = new DeploymentBrowserIT.Data(port, jdbc);
        var model = data.model("allowed");
        assertThat(admin().put("/api/v1/models/" + model.name() + "/policy", Map.of("minSpeedup", 1.5)).status())
                .isEqualTo(200);
        deployment = data.deployment(model, List.of(Map.of("name", "standard", "default", true)));
        variant = data.variant(model, "int8-dynamic");
        data.addBenchmark(variant, 2.0);
        data.makeStable(deployment, variant, "production", "standard");
        data.addBenchmark(variant, 1.0);
    }

    @Test
    void theDashboardTheDeploymentAndTheVariantPageShowTheLapseBanner() {
        String viewer = person("viewer-password-1", "VIEWER");
        logIn(viewer, "viewer-password-1");

        browser.get(url("/"));
        assertBanner();
        screenshot("lapse-banner-dashboard", 1280);

        browser.get(url("/deployments/" + deployment + "?environment=production"));
        WebElement onDeployment = assertBanner();
        assertThat(onDeployment.findElements(By.className("qreg-incident"))).hasSize(1);
        screenshot("lapse-banner-deployment", 1280);
        screenshot("lapse-banner-deployment-768", 768);

        browser.get(url("/variants/" + variant));
        WebElement onVariant = assertBanner();
        assertThat(onVariant.findElements(By.className("qreg-incident"))).hasSize(1);
        assertThat(onVariant.getText()).contains("stable").contains("v-" + variant);
    }

    @Test
    void aDeploymentWithNothingLapsedShowsNoBanner() {
        var model = data.model("allowed");
        String healthy = data.deployment(model, List.of(Map.of("name", "standard", "default", true)));
        data.makeStable(healthy, data.variant(model, "int8-dynamic"), "production", "standard");
        String viewer = person("viewer-password-2", "VIEWER");
        logIn(viewer, "viewer-password-2");

        browser.get(url("/deployments/" + healthy + "?environment=production"));

        waitUntil(Duration.ofSeconds(5), () -> !browser.findElements(By.id("deployment-heading")).isEmpty());
        assertThat(browser.findElements(By.id("serving-without-approval"))).isEmpty();
    }

    private WebElement assertBanner() {
        waitUntil(Duration.ofSeconds(5), () -> !browser.findElements(By.id("serving-without-approval")).isEmpty());
        WebElement banner = browser.findElement(By.id("serving-without-approval"));
        assertThat(banner.isDisplayed()).isTrue();
        assertThat(banner.getAttribute("role")).isEqualTo("alert");
        assertThat(banner.getText()).contains("Serving traffic without a valid approval")
                .contains(deployment + " / production / standard").contains("LAPSED").contains("minSpeedup");
        return banner;
    }
}
