package io.qreg.registry.approval;

import static io.qreg.registry.policy.VariantMaker.classification;
import static io.qreg.registry.policy.VariantMaker.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.web.ApiException;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.http.HttpStatus;

import tools.jackson.databind.JsonNode;

/** Approval requests, sign-offs and the gate over HTTP, on variants whose evidence a test worker reports. */
class ApprovalIT extends ApprovalTestSupport {

    @Autowired
    private ApprovalGate gate;

    @Autowired
    private ConfigurableApplicationContext context;

    @Test
    void requiredSignoffsFollowTheRiskTierAndAFourBitVariantAddsARiskOfficer() {
        Map<String, List<String>> expected = Map.of(
                "standard/int8-dynamic", List.of("APPROVERx1"),
                "high/int8-dynamic", List.of("APPROVERx2"),
                "regulated/fp16", List.of("APPROVERx1", "RISK_OFFICERx1"),
                "high/int4-weight", List.of("APPROVERx2", "RISK_OFFICERx1"),
                "regulated/int4-weight", List.of("APPROVERx1", "RISK_OFFICERx2"));
        expected.forEach((tierAndMethod, required) -> {
            String[] parts = tierAndMethod.split("/");
            String variant = passingVariant(parts[0], parts[1]);
            JsonNode approval = ok(request(requester, variant, "standard"), 201).json();
            assertThat(approval.get("status").asString()).isEqualTo("PENDING");
            assertThat(requirements(approval)).as(tierAndMethod).isEqualTo(required);
        });
    }

    @Test
    void aHighRiskFourBitVariantIsApprovedOnceTwoApproversAndARiskOfficerHaveSigned() {
        List<Object> events = new CopyOnWriteArrayList<>();
        ApplicationListener<PayloadApplicationEvent<?>> listener = e -> events.add(e.getPayload());
        context.addApplicationListener(listener);
        try {
            String variant = passingVariant("high", "int4-weight");
            JsonNode requested = ok(request(requester, variant, "standard"), 201).json();
            String id = requested.get("id").asString();
            assertThat(requested.get("stillRequired")).hasSize(2);
            assertThat(requested.get("evidenceDigest").asString())
                    .isEqualTo(requester.get("/api/v1/variants/" + variant + "/verdict").json().get("evidence")
                            .get("digest").asString());

            HttpApi first = userWith("APPROVER");
            HttpApi second = userWith("APPROVER");
            HttpApi officer = userWith("RISK_OFFICER");
            JsonNode afterFirst = ok(sign(first, id, "APPROVE", "numbers look right"), 200).json();
            assertThat(afterFirst.get("status").asString()).isEqualTo("PENDING");
            assertThat(afterFirst.get("requiredSignoffs").get(0).get("remaining").asInt()).isEqualTo(1);
            assertThat(afterFirst.get("requiredSignoffs").get(0).get("signedBy").get(0).asString())
                    .isEqualTo(username(first));
            assertThat(ok(sign(officer, id, "APPROVE", null), 200).json().get("status").asString())
                    .isEqualTo("PENDING");
            JsonNode approved = ok(sign(second, id, "APPROVE", null), 200).json();
            assertThat(approved.get("status").asString()).isEqualTo("APPROVED");
            assertThat(approved.get("stillRequired")).isEmpty();
            for (JsonNode r : approved.get("requiredSignoffs")) {
                assertThat(r.get("satisfied").asBoolean()).isTrue();
            }
            assertThat(approved.get("signoffs")).hasSize(3);
            assertThat(approved.get("decidedAt").isNull()).isFalse();

            ApprovedDecision decision = gate.requireApproved(UUID.fromString(id),
                    ApprovalSubject.variant(UUID.fromString(variant)), deploymentOf(variant), ENVIRONMENT, "standard");
            assertThat(decision.signedBy()).containsExactlyInAnyOrder(username(first), username(second),
                    username(officer));
            assertThat(decision.evidenceDigest()).isEqualTo(approved.get("evidenceDigest").asString());
            assertThat(auditActions(id)).containsSubsequence("approval.requested", "approval.signed",
                    "approval.signed", "approval.signed", "approval.approved");
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ApprovalRequested.class,
                    r -> assertThat(r.approvalId().toString()).isEqualTo(id)));
            assertThat(events).anySatisfy(e -> assertThat(e).isInstanceOfSatisfying(ApprovalDecided.class, d -> {
                assertThat(d.approvalId().toString()).isEqualTo(id);
                assertThat(d.status()).isEqualTo(ApprovalStatus.APPROVED);
                assertThat(d.actor()).isEqualTo(username(second));
                assertThat(d.tier()).isEqualTo("standard");
            }));
        } finally {
            context.removeApplicationListener(listener);
        }
    }

    @Test
    void neitherTheRequesterNorTheCreatorOfTheQuantizeJobMaySign() {
        HttpApi producingApprover = userWith("ENGINEER", "APPROVER");
        HttpApi requestingApprover = userWith("ENGINEER", "APPROVER");
        String model = maker.model(producingApprover, "classification", "standard");
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of()), 200);
        String variant = maker.quantize(producingApprover, model, "int8-dynamic");
        String id = ok(request(requestingApprover, variant, "standard"), 201).json().get("id").asString();

        HttpApi.Reply own = sign(requestingApprover, id, "APPROVE", null);
        assertThat(own.status()).isEqualTo(403);
        assertThat(own.isProblem()).isTrue();
        assertThat(own.json().get("detail").asString()).contains("separation of duties", "requested this approval");
        HttpApi.Reply produced = sign(producingApprover, id, "APPROVE", null);
        assertThat(produced.status()).isEqualTo(403);
        assertThat(produced.json().get("detail").asString()).contains("separation of duties",
                "submitted the QUANTIZE job");

        JsonNode unchanged = requestingApprover.get("/api/v1/approvals/" + id).json();
        assertThat(unchanged.get("signoffs")).isEmpty();
        assertThat(unchanged.get("status").asString()).isEqualTo("PENDING");
        List<String> barred = new ArrayList<>();
        unchanged.get("ineligibleSigners").forEach(s -> barred.add(s.get("username").asString()));
        assertThat(barred).contains(username(requestingApprover), username(producingApprover));
        assertThat(auditActions(id)).doesNotContain("approval.signed");
    }

    @Test
    void onlyTheRequiredRolesSignAndEachPersonOnce() {
        String id = ok(request(requester, passingVariant("high", "int8-dynamic"), "standard"), 201).json()
                .get("id").asString();
        assertThat(sign(admin(), id, "APPROVE", null).status()).as("ADMIN is not an approver").isEqualTo(403);
        HttpApi officer = userWith("RISK_OFFICER");
        HttpApi.Reply wrongRole = sign(officer, id, "APPROVE", null);
        assertThat(wrongRole.status()).isEqualTo(403);
        assertThat(wrongRole.json().get("detail").asString()).contains("[APPROVER]");

        HttpApi approver = userWith("APPROVER");
        ok(sign(approver, id, "APPROVE", null), 200);
        HttpApi.Reply again = sign(approver, id, "APPROVE", null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("already signed");
        JsonNode read = requester.get("/api/v1/approvals/" + id).json();
        assertThat(read.get("signoffs")).hasSize(1);
        assertThat(read.get("status").asString()).isEqualTo("PENDING");
    }

    @Test
    void aRejectionNeedsACommentAndEndsTheRequest() {
        String id = ok(request(requester, passingVariant("standard", "int8-dynamic"), "standard"), 201).json()
                .get("id").asString();
        HttpApi approver = userWith("APPROVER");
        for (String blank : new String[] {null, "  "}) {
            HttpApi.Reply refused = sign(approver, id, "REJECT", blank);
            assertThat(refused.status()).isEqualTo(400);
            assertThat(refused.isProblem()).isTrue();
            assertThat(refused.json().get("field").asString()).isEqualTo("comment");
        }
        HttpApi.Reply badDecision = sign(approver, id, "MAYBE", "hmm");
        assertThat(badDecision.status()).isEqualTo(400);
        assertThat(badDecision.json().get("field").asString()).isEqualTo("decision");
        assertThat(requester.get("/api/v1/approvals/" + id).json().get("signoffs")).isEmpty();

        JsonNode rejected = ok(sign(approver, id, "REJECT", "the worst slice is not measured"), 200).json();
        assertThat(rejected.get("status").asString()).isEqualTo("REJECTED");
        assertThat(rejected.get("statusReason").asString()).contains("the worst slice is not measured");
        HttpApi.Reply late = sign(userWith("APPROVER"), id, "APPROVE", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asString()).contains("REJECTED");
        assertThat(auditActions(id)).containsSubsequence("approval.signed", "approval.rejected");
    }

    @Test
    void aFailingVerdictRefusesTheRequestNamingTheCheckUnlessAnAdminOverridesWithAReason() {
        String model = maker.model(producer, "classification", "standard");
        String variant = maker.quantize(producer, model, "int8-dynamic");
        maker.evaluate(producer, variant, classification(0.90, 0.96, 0.95));

        HttpApi.Reply refused = request(requester, variant, "standard");
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("detail").asString()).contains("maxAccuracyDrop", "accuracy drop 0.06 > 0.02")
                .doesNotContain("minTop1Agreement");
        assertThat(request(requester, variant, "standard", "override", true, "reason", "trust me").status())
                .as("only an ADMIN overrides").isEqualTo(403);
        HttpApi.Reply noReason = request(admin(), variant, "standard", "override", true);
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().get("field").asString()).isEqualTo("reason");
        assertThat(jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Integer.class,
                variant)).as("nothing half written").isZero();

        JsonNode overridden = ok(request(admin(), variant, "standard", "override", true, "reason",
                "the drop is on a deprecated label set"), 201).json();
        assertThat(overridden.get("verdictPassed").asBoolean()).isFalse();
        assertThat(overridden.get("override").get("by").asString()).isEqualTo("admin");
        assertThat(overridden.get("override").get("reason").asString())
                .isEqualTo("the drop is on a deprecated label set");
        assertThat(overridden.get("override").get("failedChecks").get(0).asString()).contains("maxAccuracyDrop");
        String id = overridden.get("id").asString();
        assertThat(auditActions(id)).containsExactly("approval.requested", "approval.verdict-overridden");
        assertThat(jdbc.queryForObject("select details from audit_event where subject_id = ?"
                + " and action = 'approval.verdict-overridden'", String.class, id))
                .contains("the drop is on a deprecated label set");

        String passing = passingVariant("standard", "int8-dynamic");
        HttpApi.Reply needless = request(admin(), passing, "standard", "override", true, "reason", "habit");
        assertThat(needless.status()).isEqualTo(400);
        assertThat(needless.json().get("field").asString()).isEqualTo("override");
    }

    @Test
    void newEvidenceThatPassesIsRecordedAndEvidenceThatFailsLapsesOpenApprovals() {
        String variant = passingVariant("standard", "int8-dynamic");
        ApprovalSubject subject = ApprovalSubject.variant(UUID.fromString(variant));
        String approvedId = ok(request(requester, variant, "premium"), 201).json().get("id").asString();
        ok(sign(userWith("APPROVER"), approvedId, "APPROVE", null), 200);
        String pendingId = ok(request(requester, variant, "standard"), 201).json().get("id").asString();
        assertThat(gate.requireApproved(UUID.fromString(approvedId), subject, deploymentOf(variant), ENVIRONMENT,
                "premium").approvalId().toString()).isEqualTo(approvedId);
        assertThatThrownBy(() -> gate.requireApproved(UUID.fromString(approvedId), subject, deploymentOf(variant),
                ENVIRONMENT, "edge"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT))
                .hasMessageContaining("tier 'premium', not 'edge'");

        String evaluation = maker.evaluate(producer, variant, classification(0.96, 0.96, 1.0));

        ApprovedDecision still = gate.requireApproved(UUID.fromString(approvedId), subject, deploymentOf(variant),
                ENVIRONMENT, "premium");
        JsonNode updated = ok(requester.get("/api/v1/approvals/" + approvedId), 200).json();
        assertThat(updated.get("status").asString()).isEqualTo("APPROVED");
        assertThat(updated.get("evidenceUpdatedAt").isNull()).isFalse();
        assertThat(updated.get("evidence").get("evaluationIds").get(0).asString()).isEqualTo(evaluation);
        assertThat(still.evidenceDigest()).isEqualTo(updated.get("evidenceDigest").asString());
        assertThat(ok(requester.get("/api/v1/approvals/" + pendingId), 200).json().get("status").asString())
                .isEqualTo("PENDING");
        assertThat(auditActions(approvedId)).containsSubsequence("approval.approved", "approval.evidence-updated");

        String model = updated.get("modelName").asString();
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of("maxAccuracyDrop", 0.01, "minSpeedup", 1.5)),
                200);

        assertThatThrownBy(() -> gate.requireApproved(UUID.fromString(approvedId), subject, deploymentOf(variant),
                ENVIRONMENT, "premium"))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.status()).isEqualTo(HttpStatus.CONFLICT))
                .hasMessageContaining("is LAPSED").hasMessageContaining("minSpeedup");
        assertThat(jdbc.queryForObject("select status from approval where id = ?::uuid", String.class, approvedId))
                .as("the policy change lapsed it in its own transaction").isEqualTo("LAPSED");
        JsonNode lapsed = requester.get("/api/v1/approvals/" + approvedId).json();
        assertThat(lapsed.get("statusReason").asString()).contains("changed policy");
        assertThat(lapsed.get("lapsedChecks").toString()).contains("minSpeedup").doesNotContain("maxAccuracyDrop");
        HttpApi.Reply late = sign(userWith("APPROVER"), pendingId, "APPROVE", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asString()).contains("LAPSED");
        assertThat(auditActions(pendingId)).containsSubsequence("approval.requested", "approval.lapsed");
        assertThat(auditActions(approvedId)).containsSubsequence("approval.approved", "approval.lapsed");
        assertThat(request(requester, variant, "premium").status()).isEqualTo(422);
    }

    @Test
    void anExpiredRequestCannotBeSigned() {
        String id = ok(request(requester, passingVariant("standard", "int8-dynamic"), "standard"), 201).json()
                .get("id").asString();
        JsonNode fresh = requester.get("/api/v1/approvals/" + id).json();
        assertThat(Instant.parse(fresh.get("expiresAt").asString()))
                .isEqualTo(Instant.parse(fresh.get("requestedAt").asString()).plus(Duration.ofDays(7)));
        jdbc.update("update approval set expires_at = now() - interval '1 minute' where id = ?::uuid", id);

        HttpApi.Reply late = sign(userWith("APPROVER"), id, "APPROVE", null);
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asString()).contains("EXPIRED");
        assertThat(requester.get("/api/v1/approvals/" + id).json().get("status").asString()).isEqualTo("EXPIRED");
        assertThat(auditActions(id)).containsSubsequence("approval.requested", "approval.expired")
                .doesNotContain("approval.signed");
    }

    @Test
    void twoApproversSigningAtTheSameInstantBothLandAndApproveTheRequest() throws Exception {
        String variant = passingVariant("high", "int8-dynamic");
        HttpApi first = userWith("APPROVER");
        HttpApi second = userWith("APPROVER");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String id = ok(request(requester, variant, "race-" + round), 201).json().get("id").asString();
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<HttpApi.Reply>> replies = new ArrayList<>();
                for (HttpApi signer : List.of(first, second)) {
                    replies.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        return sign(signer, id, "APPROVE", null);
                    }));
                }
                for (Future<HttpApi.Reply> reply : replies) {
                    HttpApi.Reply r = reply.get(60, TimeUnit.SECONDS);
                    assertThat(r.status()).as("round " + round + ": " + r.body()).isEqualTo(200);
                }
                JsonNode approval = requester.get("/api/v1/approvals/" + id).json();
                assertThat(approval.get("status").asString()).as("round " + round).isEqualTo("APPROVED");
                List<String> signers = new ArrayList<>();
                approval.get("signoffs").forEach(s -> signers.add(s.get("username").asString()));
                assertThat(signers).as("round " + round).containsExactlyInAnyOrder(username(first), username(second));
                assertThat(jdbc.queryForObject("select count(*) from approval_signoff where approval_id = ?::uuid",
                        Integer.class, id)).isEqualTo(2);
                assertThat(auditActions(id).stream().filter("approval.signed"::equals)).hasSize(2);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theInboxListsThePendingRequestsTheCallerMayStillSign() {
        HttpApi approver = userWith("APPROVER");
        HttpApi selfRequester = userWith("ENGINEER", "APPROVER");
        String variant = passingVariant("standard", "int8-dynamic");
        String toSign = ok(request(requester, variant, "standard"), 201).json().get("id").asString();
        String alsoToSign = ok(request(requester, variant, "edge"), 201).json().get("id").asString();
        String ownRequest = ok(request(selfRequester, variant, "premium"), 201).json().get("id").asString();

        assertThat(inbox(approver)).contains(toSign, alsoToSign, ownRequest);
        assertThat(inbox(selfRequester)).contains(toSign, alsoToSign).doesNotContain(ownRequest);
        assertThat(inbox(userWith("RISK_OFFICER"))).doesNotContain(toSign, alsoToSign, ownRequest);

        ok(sign(approver, toSign, "APPROVE", null), 200);
        assertThat(inbox(approver)).doesNotContain(toSign).contains(alsoToSign);
        JsonNode approved = ok(requester.get("/api/v1/approvals?status=APPROVED&variantId=" + variant), 200).json();
        assertThat(approved.get("totalItems").asLong()).isEqualTo(1);
        assertThat(approved.get("items").get(0).get("id").asString()).isEqualTo(toSign);
        JsonNode paged = ok(requester.get("/api/v1/approvals?variantId=" + variant + "&size=1&page=1"), 200).json();
        assertThat(paged.get("totalItems").asLong()).isEqualTo(3);
        assertThat(paged.get("items")).hasSize(1);
        assertThat(requester.get("/api/v1/approvals?status=SOMETIMES").json().get("field").asString())
                .isEqualTo("status");
    }

    private static List<String> inbox(HttpApi who) {
        List<String> ids = new ArrayList<>();
        ok(who.get("/api/v1/approvals?mine=true&size=200"), 200).json().get("items")
                .forEach(a -> ids.add(a.get("id").asString()));
        return ids;
    }

    @Test
    void anApprovalNamesATierThatExistsInADeploymentOfTheVariantsModel() {
        String variant = passingVariant("standard", "int8-dynamic");
        String deployment = deploymentOf(variant);
        String otherModelsDeployment = deploymentOf(passingVariant("standard", "int8-dynamic"));
        Map<String, Object> body = new HashMap<>(Map.of("variantId", variant, "deployment", "no-such-deployment",
                "environment", ENVIRONMENT, "tier", "standard"));

        assertThat(requester.post("/api/v1/approvals", body).json().get("field").asString()).isEqualTo("deployment");
        body.put("deployment", deployment);
        body.put("environment", "qa");
        HttpApi.Reply noEnvironment = requester.post("/api/v1/approvals", body);
        assertThat(noEnvironment.status()).isEqualTo(404);
        assertThat(noEnvironment.json().get("detail").asString()).contains("no environment 'qa'", "staging");
        body.put("environment", ENVIRONMENT);
        body.put("tier", "gold");
        assertThat(requester.post("/api/v1/approvals", body).json().get("field").asString()).isEqualTo("tier");
        body.put("tier", "standard");
        body.put("deployment", otherModelsDeployment);
        HttpApi.Reply otherModel = requester.post("/api/v1/approvals", body);
        assertThat(otherModel.status()).isEqualTo(422);
        assertThat(otherModel.json().get("detail").asString()).contains("serves model '" + otherModelsDeployment);
        assertThat(jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Integer.class,
                variant)).isZero();
    }

    @Test
    void unknownIdsAnswer404AndBadNamesAreRefusedNamingTheField() {
        String unknown = "00000000-0000-0000-0000-000000000002";
        HttpApi.Reply read = requester.get("/api/v1/approvals/" + unknown);
        assertThat(read.status()).isEqualTo(404);
        assertThat(read.isProblem()).isTrue();
        assertThat(sign(userWith("APPROVER"), unknown, "APPROVE", null).status()).isEqualTo(404);
        HttpApi.Reply noVariant = requester.post("/api/v1/approvals", Map.of("variantId", unknown, "deployment",
                deploymentOf(passingVariant("standard", "int8-dynamic")), "environment", ENVIRONMENT, "tier", "standard"));
        assertThat(noVariant.status()).isEqualTo(404);
        assertThat(noVariant.json().get("field").asString()).isEqualTo("variantId");
        assertThatThrownBy(() -> gate.requireApproved(UUID.fromString(unknown),
                ApprovalSubject.variant(UUID.fromString(unknown)), "no-such-deployment", ENVIRONMENT, "standard"))
                .isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.status()).isEqualTo(HttpStatus.NOT_FOUND));

        String variant = passingVariant("standard", "int8-dynamic");
        Map<String, Object> bad = new HashMap<>(Map.of("variantId", variant, "deployment", "Support Intent",
                "environment", ENVIRONMENT, "tier", "standard"));
        HttpApi.Reply badName = requester.post("/api/v1/approvals", bad);
        assertThat(badName.status()).isEqualTo(400);
        assertThat(badName.json().get("field").asString()).isEqualTo("deployment");
        bad.put("deployment", deploymentOf(variant));
        bad.remove("tier");
        assertThat(requester.post("/api/v1/approvals", bad).json().get("field").asString()).isEqualTo("tier");
        assertThat(jdbc.queryForObject("select count(*) from approval where variant_id = ?::uuid", Integer.class,
                variant)).isZero();

        ok(request(requester, variant, "standard"), 201);
        HttpApi.Reply duplicate = request(requester, variant, "standard");
        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.json().get("detail").asString()).contains("already PENDING");
    }
}
