package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.BrowserTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Aliases, tags and archiving as a person sees them in a real Chromium: the model page lists its aliases with
 * links to the variants they point at, follows a move, the variant page names its aliases, and the model list
 * filters by tag and shows archived models only when asked.
 */
class AliasBrowserIT extends BrowserTest {

    private DeploymentBrowserIT.Data data;
    private RolloutTestSupport.Model model;
    private String champion;
    private String challenger;

    @BeforeAll
    void aModelWithTwoAliasedVariantsAndATag() {
        data = new DeploymentBrowserIT.Data(port, jdbc);
        model = data.model("allowed");
        champion = data.variant(model, "int8-dynamic");
        challenger = data.variant(model, "int8-dynamic");
        put("/api/v1/models/" + model.name() + "/aliases/champion", Map.of("variantId", champion));
        put("/api/v1/models/" + model.name() + "/aliases/challenger", Map.of("variantId", challenger));
        put("/api/v1/models/" + model.name() + "/tags/team", Map.of("value", "browser-search"));
    }

    @Test
    void theModelPageListsItsAliasesAndEachLeadsToTheVariantPageNamingIt() {
        logIn(person("viewer-password-1", "VIEWER"), "viewer-password-1");
        browser.get(url("/models/" + model.name()));

        WebElement alias = aliasOnModelPage("champion");
        assertThat(alias.getText()).contains("champion").contains("variant " + Figures.shortId(champion));
        assertThat(aliasOnModelPage("challenger").getText()).contains("variant " + Figures.shortId(challenger));
        assertThat(browser.findElement(By.id("tags")).getText()).contains("team: browser-search");
        screenshot("aliases-model-page", 1280);

        alias.findElement(By.tagName("a")).click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().endsWith("/variants/" + champion));
        WebElement onVariant = browser.findElement(By.id("aliases"));
        assertThat(onVariant.getText()).contains("champion").doesNotContain("challenger").doesNotContain("candidate");
    }

    @Test
    void movingAnAliasShowsOnTheModelPageAtTheNextLoad() {
        // Its own alias, so the other tests see champion and challenger where they were put.
        put("/api/v1/models/" + model.name() + "/aliases/candidate", Map.of("variantId", challenger));
        logIn(person("viewer-password-2", "VIEWER"), "viewer-password-2");
        browser.get(url("/models/" + model.name()));
        assertThat(aliasOnModelPage("candidate").getText()).contains("variant " + Figures.shortId(challenger));

        String moved = data.variant(model, "int8-dynamic");
        put("/api/v1/models/" + model.name() + "/aliases/candidate", Map.of("variantId", moved));
        browser.navigate().refresh();

        assertThat(aliasOnModelPage("candidate").getText()).contains("variant " + Figures.shortId(moved))
                .doesNotContain(Figures.shortId(challenger));
    }

    @Test
    void theModelListFiltersByTagAndShowsArchivedModelsOnlyWhenAsked() {
        RolloutTestSupport.Model archived = data.model("allowed");
        put("/api/v1/models/" + archived.name() + "/tags/team", Map.of("value", "browser-search"));
        assertThat(data.engineer().post("/api/v1/models/" + archived.name() + "/archive", Map.of()).status())
                .isEqualTo(200);
        logIn(person("viewer-password-3", "VIEWER"), "viewer-password-3");

        browser.get(url("/models"));
        browser.findElement(By.id("model-tag")).sendKeys("team:browser-search");
        browser.findElement(By.cssSelector("form[role=search] button[type=submit]")).click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("tag=team"));
        String listed = browser.findElement(By.id("main")).getText();
        assertThat(listed).contains(model.name()).doesNotContain(archived.name());

        browser.findElement(By.id("model-archived")).click();
        browser.findElement(By.cssSelector("form[role=search] button[type=submit]")).click();
        waitUntil(Duration.ofSeconds(10), () -> browser.getCurrentUrl().contains("archived=true"));
        String archivedList = browser.findElement(By.id("main")).getText();
        assertThat(archivedList).contains(archived.name()).doesNotContain(model.name());

        browser.findElement(By.linkText(archived.name())).click();
        waitUntil(Duration.ofSeconds(10), () -> !browser.findElements(By.id("archived-banner")).isEmpty());
        assertThat(browser.findElement(By.id("archived-banner")).getText()).contains("This model is archived")
                .contains("cannot be requested for approval or rolled out");
    }

    private WebElement aliasOnModelPage(String alias) {
        waitUntil(Duration.ofSeconds(10), () -> !browser.findElements(By.id("alias-" + alias)).isEmpty());
        return browser.findElement(By.id("alias-" + alias));
    }

    private void put(String path, Map<String, Object> body) {
        assertThat(data.engineer().put(path, body).status()).isEqualTo(200);
    }
}
