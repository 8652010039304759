package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import tools.jackson.databind.JsonNode;

/**
 * Nothing serves without a sign-off, the FP32 checkpoint included: checkpoint approvals and their
 * verdict, sandbox environments that need none (audited as unapproved), and licences refused at the
 * approval request rather than at the rollout.
 */
class CheckpointApprovalIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true),
            tier("premium", "precision", "fp32"), tier("edge", "edge", true));

    @Test
    void aCheckpointRolloutIntoProductionWithoutAnApprovalIsRefusedAndRoutesNothing() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);

        HttpApi.Reply refused = startUnapprovedCheckpointRollout(d, model, "production", "premium");

        assertThat(refused.status()).as(refused.body()).isEqualTo(400);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("field").asString()).isEqualTo("approvalId");
        assertThat(refused.json().get("detail").asString()).contains("checkpoint " + model.checkpointId());
        assertThat(routing(d, "production").get("rules").size()).isZero();
        assertThat(jdbc.queryForObject("select count(*) from rollout where checkpoint_id = ?::uuid", Long.class,
                model.checkpointId())).isZero();
    }

    @Test
    void aCheckpointApprovalFollowsTheRiskTiersSignoffRulesAndGatesTheRollout() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        JsonNode verdict = ok(engineer().get("/api/v1/checkpoints/" + model.checkpointId() + "/verdict"), 200).json();
        assertThat(verdict.get("checkpointId").asString()).isEqualTo(model.checkpointId());
        assertThat(verdict.get("passed").asBoolean()).isTrue();
        assertThat(verdict.get("checks").get(0).get("name").asString()).isEqualTo("graphSignature");

        JsonNode requested = ok(engineer().post("/api/v1/approvals", Map.of("checkpointId", model.checkpointId(),
                "deployment", d, "environment", "production", "tier", "premium")), 201).json();

        assertThat(requested.get("checkpointId").asString()).isEqualTo(model.checkpointId());
        assertThat(requested.get("variantId").isNull()).isTrue();
        // A standard-risk model: one APPROVER, and no low-bit RISK_OFFICER for an unquantized model.
        assertThat(requested.get("requiredSignoffs")).hasSize(1);
        assertThat(requested.get("requiredSignoffs").get(0).get("role").asString()).isEqualTo("APPROVER");
        assertThat(requested.get("ineligibleSigners").toString()).contains("registered checkpoint");
        String approvalId = requested.get("id").asString();
        HttpApi.Reply early = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("checkpointId",
                model.checkpointId(), "environment", "production", "tier", "premium", "approvalId", approvalId));
        assertThat(early.status()).as(early.body()).isEqualTo(409);
        assertThat(early.json().get("detail").asString()).contains("PENDING");

        ok(userWith("APPROVER").post("/api/v1/approvals/" + approvalId + "/signoffs", Map.of("decision", "APPROVE")),
                200);
        JsonNode rollout = ok(engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("checkpointId",
                model.checkpointId(), "environment", "production", "tier", "premium", "approvalId", approvalId)), 201)
                .json();

        assertThat(rollout.get("approvalId").asString()).isEqualTo(approvalId);
        assertThat(rollout.get("signedBy")).hasSize(1);
        JsonNode approval = ok(engineer().get("/api/v1/approvals/" + approvalId), 200).json();
        assertThat(approval.get("usedAt").isNull()).isFalse();
        // The approval covers the checkpoint, not a variant of it.
        String variant = variant(model, "int8-dynamic");
        HttpApi.Reply wrongSubject = engineer().post("/api/v1/deployments/" + d + "/rollouts", Map.of("variantId",
                variant, "environment", "production", "tier", "standard", "approvalId", approvalId));
        assertThat(wrongSubject.status()).as(wrongSubject.body()).isEqualTo(409);
        assertThat(wrongSubject.json().get("detail").asString()).contains("granted for checkpoint");
    }

    @Test
    void aCheckpointVerdictNeedsAnEvaluationWhenThePolicyReadsEvaluations() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        ok(admin().put("/api/v1/models/" + model.name() + "/policy", Map.of("maxAccuracyDrop", 0.02)), 200);

        HttpApi.Reply refused = engineer().post("/api/v1/approvals", Map.of("checkpointId", model.checkpointId(),
                "deployment", d, "environment", "production", "tier", "premium"));

        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.json().get("detail").asString()).contains("evaluated").contains("no evaluation of the"
                + " checkpoint yet");
        assertThat(jdbc.queryForObject("select count(*) from approval where checkpoint_id = ?::uuid", Long.class,
                model.checkpointId())).isZero();
    }

    @Test
    void aSandboxEnvironmentTakesRolloutsWithoutApprovalAndAuditsThemAsUnapproved() {
        Model model = model("allowed");
        String d = unique("d");
        JsonNode created = ok(engineer().post("/api/v1/deployments", Map.of("name", d, "modelName", model.name(),
                "environments", List.of("staging", Map.of("name", "dev", "approvalRequired", false)), "tiers",
                TIERS)), 201).json();
        assertThat(created.get("environments").toString()).isEqualTo("[\"staging\",\"dev\"]");
        assertThat(created.get("environmentsWithoutApproval").toString()).isEqualTo("[\"dev\"]");

        JsonNode rollout = ok(startUnapprovedCheckpointRollout(d, model, "dev", "premium"), 201).json();

        assertThat(rollout.get("approvalId").isNull()).isTrue();
        String details = jdbc.queryForObject("select details::text from audit_event where action = 'rollout.started'"
                + " and subject_id = ?", String.class, rollout.get("id").asString());
        assertThat(details).contains("\"unapproved\"").contains("needs no approval");
        assertThat(weights(routing(d, "dev"), "premium")).containsExactly(Map.entry(model.checkpointId(), 100));
        // Staging still needs one, and the deployment reports nothing serving without it.
        HttpApi.Reply staging = startUnapprovedCheckpointRollout(d, model, "staging", "premium");
        assertThat(staging.status()).isEqualTo(400);
        assertThat(staging.json().get("field").asString()).isEqualTo("approvalId");
        JsonNode deployment = ok(engineer().get("/api/v1/deployments/" + d), 200).json();
        assertThat(deployment.get("servingWithoutValidApproval")).isEmpty();
    }

    @Test
    void environmentsThatAreNeitherNamesNorNamedObjectsAreRefusedNamingTheField() {
        Model model = model("allowed");
        HttpApi.Reply reply = engineer().post("/api/v1/deployments", Map.of("name", unique("d"), "modelName",
                model.name(), "environments", List.of("staging", Map.of("approvalRequired", false)), "tiers", TIERS));

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.json().get("field").asString()).isEqualTo("environments[1]");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"variantId", "checkpointId"})
    void anInternalOnlyLicenceOnAnEdgeTierIsRefusedAtTheApprovalRequest(String subjectField) {
        Model model = model("internal-only");
        String d = deployment(model, TIERS);
        String subject = "variantId".equals(subjectField) ? variant(model, "int8-dynamic") : model.checkpointId();
        long before = jdbc.queryForObject("select count(*) from approval", Long.class);

        HttpApi.Reply refused = engineer().post("/api/v1/approvals", Map.of(subjectField, subject, "deployment", d,
                "environment", "production", "tier", "edge"));

        assertThat(refused.status()).as(refused.body()).isEqualTo(422);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("field").asString()).isEqualTo("tier");
        assertThat(refused.json().get("detail").asString()).contains("license 'LicenseRef-Proprietary'")
                .contains("internal-only");
        assertThat(jdbc.queryForObject("select count(*) from approval", Long.class)).isEqualTo(before);
        // The same variant or checkpoint may still be approved for a tier that keeps the weights in-house.
        assertThat(tryApprove(subjectField, subject, d, "production", "standard")).isPresent();
    }
}
