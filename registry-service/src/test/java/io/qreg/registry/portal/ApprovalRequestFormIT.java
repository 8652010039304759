package io.qreg.registry.portal;

import static io.qreg.registry.policy.VariantMaker.classification;
import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The approval request form over real HTTP: its pickers offer only what belongs together (a
 * model's variants and deployments, a deployment's environments and tiers), a changed choice
 * re-renders them without requesting anything, and a posted pair that does not belong together
 * is refused on the form, naming the field, with nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApprovalRequestFormIT extends IntegrationTest {

    private static final String PASSWORD = "request-form-password-1";

    private HttpApi producer;
    private String model;
    private String otherModel;
    private String variant;
    private String otherVariant;
    private AdminPortalIT.Session engineer;

    @BeforeAll
    void variantsAndAnEngineer() {
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        producer = userWith("ENGINEER");
        model = maker.model(producer, "classification", "standard");
        maker.deployment(producer, model);
        otherModel = maker.model(producer, "classification", "standard");
        maker.deployment(producer, otherModel);
        variant = maker.quantize(producer, model, "int8-dynamic");
        maker.evaluate(producer, variant, classification(0.975, 0.978, 0.99, -0.004, -0.01));
        otherVariant = maker.quantize(producer, otherModel, "int8-dynamic");
        maker.evaluate(producer, otherVariant, classification(0.975, 0.978, 0.99, -0.004, -0.01));

        String username = unique("requester").toLowerCase();
        ok(admin().post("/api/v1/users", Map.of("username", username, "password", PASSWORD,
                "roles", List.of("ENGINEER"))), 201);
        engineer = new AdminPortalIT.Session(port);
        engineer.signIn(username, PASSWORD);
    }

    private HttpResponse<String> post(String... fields) {
        return engineer.submit("/approvals/new", "/approvals", fields);
    }

    private long approvalsOf(String variantId) {
        return jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Long.class, variantId);
    }

    /** The options of the select with the id, as value → whether selected. */
    private static Map<String, Boolean> options(String html, String selectId) {
        Matcher select = Pattern.compile("(?s)<select id=\"" + selectId + "\".*?</select>").matcher(html);
        assertThat(select.find()).as("the page has select #" + selectId).isTrue();
        Map<String, Boolean> options = new java.util.LinkedHashMap<>();
        Matcher option = Pattern.compile("<option value=\"([^\"]*)\"([^>]*)>").matcher(select.group());
        while (option.find()) {
            if (!option.group(1).isEmpty()) {
                options.put(option.group(1), option.group(2).contains("selected"));
            }
        }
        return options;
    }

    @Test
    void theVariantPagesLinkPicksTheVariantAndItsModelAndTheOnlyDeploymentWithItsEnvironmentsAndTiers() {
        HttpResponse<String> page = engineer.get("/approvals/new?variantId=" + variant);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(options(page.body(), "model")).containsEntry(model, true).containsEntry(otherModel, false);
        assertThat(options(page.body(), "variantId")).containsOnlyKeys(variant).containsEntry(variant, true);
        assertThat(page.body()).contains("checkpoint 1.0.0 · int8-dynamic · ");
        assertThat(options(page.body(), "deployment")).containsOnlyKeys(model).containsEntry(model, true);
        assertThat(options(page.body(), "environment")).containsOnlyKeys("production", "staging")
                .containsEntry("production", true);
        assertThat(options(page.body(), "tier")).containsOnlyKeys("premium", "edge", "standard", "default")
                .containsEntry("default", true);
        assertThat(page.body()).contains("default (default: all traffic no other tier matches)");
    }

    @Test
    void aChangedChoiceReRendersThePickersAndRequestsNothing() {
        long before = approvalsOf(variant) + approvalsOf(otherVariant);
        HttpResponse<String> refreshed = post("model", otherModel, "variantId", variant, "deployment", model,
                "environment", "staging", "tier", "premium", "refresh", "true");
        assertThat(refreshed.statusCode()).isEqualTo(200);
        assertThat(options(refreshed.body(), "variantId")).as("the other model's variants only")
                .containsOnlyKeys(otherVariant).containsEntry(otherVariant, false);
        assertThat(options(refreshed.body(), "deployment")).containsOnlyKeys(otherModel);
        assertThat(refreshed.body()).doesNotContain("id=\"request-problem\"");
        assertThat(approvalsOf(variant) + approvalsOf(otherVariant)).isEqualTo(before);
    }

    @Test
    void aVariantOfAnotherModelIsRefusedOnItsFieldAndNothingIsStored() {
        assertRefusedOnField(422, "variantId", "is of model &#39;" + model + "&#39;, not of &#39;" + otherModel,
                "model", otherModel, "variantId", variant, "deployment", otherModel, "environment", "production",
                "tier", "default");
    }

    @Test
    void aDeploymentOfAnotherModelIsRefusedOnItsFieldAndNothingIsStored() {
        assertRefusedOnField(422, "deployment", "deployment &#39;" + otherModel + "&#39; serves model",
                "model", model, "variantId", variant, "deployment", otherModel, "environment", "production",
                "tier", "default");
    }

    @Test
    void aTierOrEnvironmentTheDeploymentDoesNotHaveIsRefusedOnItsFieldAndNothingIsStored() {
        assertRefusedOnField(404, "tier", "has no tier &#39;gold&#39;",
                "model", model, "variantId", variant, "deployment", model, "environment", "production", "tier", "gold");
        assertRefusedOnField(404, "environment", "has no environment &#39;mars&#39;",
                "model", model, "variantId", variant, "deployment", model, "environment", "mars", "tier", "default");
    }

    /**
     * Posts the form fields asking for {@link #variant}: the form comes back with the status, says the request was
     * refused and why, marks the refused select invalid, and no approval of the variant is stored.
     */
    private void assertRefusedOnField(int status, String field, String reason, String... fields) {
        long before = approvalsOf(variant);
        HttpResponse<String> refused = post(fields);
        assertThat(refused.statusCode()).isEqualTo(status);
        assertThat(refused.body()).contains("The request was refused", reason);
        assertThat(refused.body()).containsPattern("<select id=\"" + field + "\"[^>]*aria-invalid=\"true\"");
        assertThat(approvalsOf(variant)).isEqualTo(before);
    }

    @Test
    void aFittingChoiceIsRequested() {
        HttpResponse<String> requested = post("model", model, "variantId", variant, "deployment", model,
                "environment", "staging", "tier", "standard");
        assertThat(requested.statusCode()).isEqualTo(302);
        String id = requested.headers().firstValue("Location").orElseThrow().replaceAll(".*/approvals/", "");
        var stored = ok(admin().get("/api/v1/approvals/" + id), 200).json();
        assertThat(stored.get("variantId").asString()).isEqualTo(variant);
        assertThat(stored.get("environment").asString()).isEqualTo("staging");
        assertThat(stored.get("tier").asString()).isEqualTo("standard");
    }
}
