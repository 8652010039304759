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

        JsonNode archived = archive("/api/v1/models/" + model.name());
        assertThat(archived.get("archived").asBoolean()).isTrue();
        assertThat(archived.get("archivedBy").asString()).isNotBlank();
        assertThat(modelNames("")).doesNotContain(model.name());
        assertThat(modelNames("&archived=true")).contains(model.name());
        assertThat(archived("/api/v1/models/" + model.name())).isTrue();

        unarchive("/api/v1/models/" + model.name());
        assertThat(modelNames("")).contains(model.name());
        assertThat(modelNames("&archived=true")).doesNotContain(model.name());
        assertThat(actions("model", model.name())).contains("model.archived", "model.unarchived");
    }

    @Test
    void anArchivedVariantIsRefusedForApprovalAndRolloutButKeepsItsLineageAndAudit() {
        Model model = model("allowed");
        // Approved while active, so the rollout below is refused for the archive alone.
        ApprovedVariant approved = approvedForDefaultTier(model);
        String variant = approved.variant();
        archive("/api/v1/variants/" + variant);

        assertThat(variantIds(model, "")).doesNotContain(variant);
        assertThat(variantIds(model, "?archived=true")).containsExactly(variant);
        JsonNode read = ok(engineer().get("/api/v1/variants/" + variant), 200).json();
        assertThat(read.get("archived").asBoolean()).isTrue();
        assertThat(read.get("lineage").get("checkpointSha256")).isNotNull();

        assertConflict(requestApproval(variant, defaultTierDeployment(model)), "variantId");
        assertConflict(rollout(approved), "variantId");
        assertThat(approvalsOf(variant)).isEqualTo(1);
        assertThat(rolloutsOf(approved.deployment())).isZero();
        assertThat(actions("variant", variant)).contains("variant.created", "variant.archived");

        unarchive("/api/v1/variants/" + variant);
        assertThat(ok(rollout(approved), 201).json().get("phase").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void aVariantOfAnArchivedModelIsRefusedForApprovalAndRollout() {
        Model model = model("allowed");
        ApprovedVariant approved = approvedForDefaultTier(model);
        archive("/api/v1/models/" + model.name());

        HttpApi.Reply request = requestApproval(approved.variant(), defaultTierDeployment(model));
        assertConflict(request, "variantId");
        assertThat(request.json().get("detail").asString()).contains("model '" + model.name() + "' is archived");
        assertConflict(rollout(approved), "variantId");
        assertThat(approvalsOf(approved.variant())).isEqualTo(1);
        assertThat(rolloutsOf(approved.deployment())).isZero();
    }

    @Test
    void anArchivedDeploymentLeavesTheListTakesNoApprovalOrRolloutAndKeepsItsHistory() {
        Model model = model("allowed");
        ApprovedVariant approved = approvedForDefaultTier(model);
        String deployment = approved.deployment();
        archive("/api/v1/deployments/" + deployment);

        assertThat(deploymentNames(model, "")).doesNotContain(deployment);
        assertThat(deploymentNames(model, "&archived=true")).containsExactly(deployment);
        assertThat(archived("/api/v1/deployments/" + deployment)).isTrue();
        assertThat(engineer().get("/api/v1/deployments/" + deployment + "/history").status()).isEqualTo(200);

        String second = variant(model, "int8-dynamic");
        assertConflict(requestApproval(second, deployment), "deployment");
        assertConflict(rollout(approved), "deployment");
        assertThat(approvalsOf(second)).isZero();
        assertThat(rolloutsOf(deployment)).isZero();
        assertThat(actions("deployment", deployment)).contains("deployment.archived");

        unarchive("/api/v1/deployments/" + deployment);
        assertThat(deploymentNames(model, "")).containsExactly(deployment);
    }

    @Test
    void archivingIsForEngineersAndAnUnknownArchivedParameterIsRefused() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        HttpApi viewer = userWith("VIEWER");
        assertThat(viewer.post("/api/v1/models/" + model.name() + "/archive", Map.of()).status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/variants/" + variant + "/archive", Map.of()).status()).isEqualTo(403);
        assertThat(archived("/api/v1/models/" + model.name())).isFalse();
        assertThat(archived("/api/v1/variants/" + variant)).isFalse();
        HttpApi.Reply bad = engineer().get("/api/v1/models?archived=maybe");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("field").asString()).isEqualTo("archived");
        assertThat(engineer().post("/api/v1/variants/" + UUID.randomUUID() + "/archive", Map.of()).status())
                .isEqualTo(404);
    }

    /** Archives what lives at the API path; returns it as the registry then shows it. */
    private JsonNode archive(String path) {
        return ok(engineer().post(path + "/archive", Map.of()), 200).json();
    }

    private void unarchive(String path) {
        ok(engineer().post(path + "/unarchive", Map.of()), 200);
    }

    /** Whether what lives at the API path reads as archived. */
    private boolean archived(String path) {
        return ok(engineer().get(path), 200).json().get("archived").asBoolean();
    }

    /** Asks for an approval of the variant in the deployment's production default tier. */
    private HttpApi.Reply requestApproval(String variant, String deployment) {
        return engineer().post("/api/v1/approvals", Map.of("variantId", variant, "deployment", deployment,
                "environment", "production", "tier", "default"));
    }

    /** Rolls the approved variant straight out to all of its tier, under its approval. */
    private HttpApi.Reply rollout(ApprovedVariant approved) {
        return engineer().post("/api/v1/deployments/" + approved.deployment() + "/rollouts", Map.of("variantId",
                approved.variant(), "environment", "production", "tier", "default", "steps", List.of(100),
                "approvalId", approved.approval().toString()));
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
