package io.qreg.registry.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Archive, not delete, over real HTTP: archived models, variants and deployments leave the default lists, show with
 * {@code ?archived=true}, are refused for approval and rollout with a 409 naming why (writing nothing), stay readable
 * with their lineage, audit and history, and come back when unarchived.
 */
class ArchiveIT extends RolloutTestSupport {

    @Test
    void anArchivedModelLeavesTheDefaultListShowsWithArchivedTrueAndReturnsWhenUnarchived() {
        Model model = model("allowed");
        assertThat(modelNames("")).contains(model.name());

        JsonNode archived = ok(engineer().post("/api/v1/models/" + model.name() + "/archive", Map.of()), 200).json();
        assertThat(archived.get("archived").asBoolean()).isTrue();
        assertThat(archived.get("archivedBy").asString()).isNotBlank();
        assertThat(modelNames("")).doesNotContain(model.name());
        assertThat(modelNames("&archived=true")).contains(model.name());
        assertThat(ok(engineer().get("/api/v1/models/" + model.name()), 200).json().get("archived").asBoolean())
                .isTrue();

        ok(engineer().post("/api/v1/models/" + model.name() + "/unarchive", Map.of()), 200);
        assertThat(modelNames("")).contains(model.name());
        assertThat(modelNames("&archived=true")).doesNotContain(model.name());
        assertThat(actions("model", model.name())).contains("model.archived", "model.unarchived");
    }

    @Test
    void anArchivedVariantIsRefusedForApprovalAndRolloutButKeepsItsLineageAndAudit() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        String deployment = deployment(model, List.of(tier("default", "default", true)));
        // Approved while active, so the rollout below is refused for the archive alone.
        UUID approval = approve(variant, deployment, "production", "default");
        ok(engineer().post("/api/v1/variants/" + variant + "/archive", Map.of()), 200);

        assertThat(variantIds(model, "")).doesNotContain(variant);
        assertThat(variantIds(model, "?archived=true")).containsExactly(variant);
        JsonNode read = ok(engineer().get("/api/v1/variants/" + variant), 200).json();
        assertThat(read.get("archived").asBoolean()).isTrue();
        assertThat(read.get("lineage").get("checkpointSha256")).isNotNull();

        String other = deployment(model, List.of(tier("default", "default", true)));
        assertConflict(engineer().post("/api/v1/approvals", Map.of("variantId", variant, "deployment", other,
                "environment", "production", "tier", "default")), "variantId");
        assertConflict(rollout(deployment, variant, approval), "variantId");
        assertThat(approvalsOf(variant)).isEqualTo(1);
        assertThat(rolloutsOf(deployment)).isZero();
        assertThat(actions("variant", variant)).contains("variant.created", "variant.archived");

        ok(engineer().post("/api/v1/variants/" + variant + "/unarchive", Map.of()), 200);
        assertThat(ok(rollout(deployment, variant, approval), 201).json().get("phase").asString())
                .isEqualTo("COMPLETED");
    }

    @Test
    void aVariantOfAnArchivedModelIsRefusedForApprovalAndRollout() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        String deployment = deployment(model, List.of(tier("default", "default", true)));
        UUID approval = approve(variant, deployment, "production", "default");
        ok(engineer().post("/api/v1/models/" + model.name() + "/archive", Map.of()), 200);

        String other = deployment(model, List.of(tier("default", "default", true)));
        HttpApi.Reply request = engineer().post("/api/v1/approvals", Map.of("variantId", variant, "deployment", other,
                "environment", "production", "tier", "default"));
        assertConflict(request, "variantId");
        assertThat(request.json().get("detail").asString()).contains("model '" + model.name() + "' is archived");
        assertConflict(rollout(deployment, variant, approval), "variantId");
        assertThat(approvalsOf(variant)).isEqualTo(1);
        assertThat(rolloutsOf(deployment)).isZero();
    }

    @Test
    void anArchivedDeploymentLeavesTheListTakesNoApprovalOrRolloutAndKeepsItsHistory() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        String deployment = deployment(model, List.of(tier("default", "default", true)));
        UUID approval = approve(variant, deployment, "production", "default");
        ok(engineer().post("/api/v1/deployments/" + deployment + "/archive", Map.of()), 200);

        assertThat(deploymentNames(model, "")).doesNotContain(deployment);
        assertThat(deploymentNames(model, "&archived=true")).containsExactly(deployment);
        assertThat(ok(engineer().get("/api/v1/deployments/" + deployment), 200).json().get("archived").asBoolean())
                .isTrue();
        assertThat(engineer().get("/api/v1/deployments/" + deployment + "/history").status()).isEqualTo(200);

        String second = variant(model, "int8-dynamic");
        assertConflict(engineer().post("/api/v1/approvals", Map.of("variantId", second, "deployment", deployment,
                "environment", "production", "tier", "default")), "deployment");
        assertConflict(rollout(deployment, variant, approval), "deployment");
        assertThat(approvalsOf(second)).isZero();
        assertThat(rolloutsOf(deployment)).isZero();
        assertThat(actions("deployment", deployment)).contains("deployment.archived");

        ok(engineer().post("/api/v1/deployments/" + deployment + "/unarchive", Map.of()), 200);
        assertThat(deploymentNames(model, "")).containsExactly(deployment);
    }

    @Test
    void archivingIsForEngineersAndAnUnknownArchivedParameterIsRefused() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        HttpApi viewer = userWith("VIEWER");
        assertThat(viewer.post("/api/v1/models/" + model.name() + "/archive", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/variants/" + variant + "/archive", Map.of()).status()).isEqualTo(403);
        assertThat(ok(engineer().get("/api/v1/models/" + model.name()), 200).json().get("archived").asBoolean())
                .isFalse();
        assertThat(ok(engineer().get("/api/v1/variants/" + variant), 200).json().get("archived").asBoolean())
                .isFalse();
        HttpApi.Reply bad = engineer().get("/api/v1/models?archived=maybe");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asString()).isEqualTo("archived");
        assertThat(engineer().post("/api/v1/variants/" + UUID.randomUUID() + "/archive", Map.of()).status())
                .isEqualTo(404);
    }

    private HttpApi.Reply rollout(String deployment, String variant, UUID approval) {
        return engineer().post("/api/v1/deployments/" + deployment + "/rollouts", Map.of("variantId", variant,
                "environment", "production", "tier", "default", "steps", List.of(100), "approvalId",
                approval.toString()));
    }

    private static void assertConflict(HttpApi.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(409);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).as(reply.body()).isEqualTo(field);
        assertThat(reply.json().get("detail").asString()).contains("is archived").contains("/unarchive");
    }

    private long approvalsOf(String variant) {
        return jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Long.class, variant);
    }

    private long rolloutsOf(String deployment) {
        return jdbc.queryForObject("select count(*) from rollout r join deployment d on d.id = r.deployment_id"
                + " where d.name = ?", Long.class, deployment);
    }

    private List<String> modelNames(String query) {
        return values(engineer().get("/api/v1/models?size=200" + query), "name");
    }

    private List<String> variantIds(Model model, String query) {
        return values(engineer().get("/api/v1/models/" + model.name() + "/variants" + query), "id");
    }

    private List<String> deploymentNames(Model model, String query) {
        return values(engineer().get("/api/v1/deployments?model=" + model.name() + query), "name");
    }

    private List<String> actions(String subjectType, String subjectId) {
        return values(admin().get("/api/v1/audit?subjectType=" + subjectType + "&subjectId=" + subjectId
                + "&size=200"), "action");
    }

    private static List<String> values(HttpApi.Reply reply, String field) {
        List<String> values = new ArrayList<>();
        ok(reply, 200).json().get("items").forEach(n -> values.add(n.get(field).asString()));
        return values;
    }
}
