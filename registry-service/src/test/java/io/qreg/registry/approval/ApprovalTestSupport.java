package io.qreg.registry.approval;

import static io.qreg.registry.policy.VariantMaker.ok;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.BeforeEach;

import tools.jackson.databind.JsonNode;

/** What the approval tests share: variants whose verdict passes, their deployments, requests and sign-offs. */
abstract class ApprovalTestSupport extends IntegrationTest {

    /** Rounds of the sign-off race; with three other tiers, the most a deployment may have (20). */
    static final int ROUNDS = 17;
    /** Every deployment's tiers; the race test opens one request per round, each for a tier of its own. */
    static final List<Map<String, Object>> TIERS = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(Map.<String, Object>of("name", "premium"), Map.<String, Object>of("name", "edge"),
                    Map.<String, Object>of("name", "standard", "default", true)),
            java.util.stream.IntStream.range(0, ROUNDS).mapToObj(i -> Map.<String, Object>of("name", "race-" + i))).toList();
    /** Deployments made so far, one per model and named after it. */
    static final java.util.Set<String> DEPLOYMENTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    static final String ENVIRONMENT = "production";

    HttpApi producer;
    HttpApi requester;
    VariantMaker maker;

    @BeforeEach
    void setUp() {
        producer = userWith("ENGINEER");
        requester = userWith("ENGINEER");
        maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
    }

    static String username(HttpApi api) {
        return api.get("/api/v1/me").json().get("username").asString();
    }

    /** A variant of a model with the risk tier whose own policy checks nothing, so its verdict passes. */
    String passingVariant(String riskTier, String method) {
        String model = maker.model(producer, "classification", riskTier);
        ok(admin().put("/api/v1/models/" + model + "/policy", Map.of()), 200);
        return maker.quantize(producer, model, method);
    }

    HttpApi.Reply request(HttpApi who, String variant, String tier, Object... extra) {
        return who.post("/api/v1/approvals", Bodies.with(Map.of("variantId", variant,
                "deployment", deploymentOf(variant), "environment", ENVIRONMENT, "tier", tier), extra));
    }

    /** The deployment that serves the variant's model (named after it), created on first use. */
    String deploymentOf(String variant) {
        String model = admin().get("/api/v1/variants/" + variant).json().get("modelName").asString();
        if (DEPLOYMENTS.add(model)) {
            ok(admin().post("/api/v1/deployments", Map.of("name", model, "modelName", model,
                    "environments", List.of(ENVIRONMENT, "staging"), "tiers", TIERS)), 201);
        }
        return model;
    }

    static HttpApi.Reply sign(HttpApi who, String approval, String decision, String comment) {
        Map<String, Object> body = new HashMap<>();
        body.put("decision", decision);
        if (comment != null) {
            body.put("comment", comment);
        }
        return who.post("/api/v1/approvals/" + approval + "/signoffs", body);
    }

    static List<String> requirements(JsonNode approval) {
        List<String> required = new ArrayList<>();
        approval.get("requiredSignoffs").forEach(r -> required.add(r.get("role").asString() + "x"
                + r.get("count").asInt()));
        return required;
    }

    List<String> auditActions(String approval) {
        return jdbc.queryForList("select action from audit_event where subject_type = 'approval' and subject_id = ?"
                + " order by seq", String.class, approval);
    }
}
