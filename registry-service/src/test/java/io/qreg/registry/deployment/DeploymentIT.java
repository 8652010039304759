package io.qreg.registry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class DeploymentIT extends RolloutTestSupport {

    private Map<String, Object> request(String name, String model, Object tiers) {
        Map<String, Object> r = new HashMap<>();
        r.put("name", name);
        r.put("modelName", model);
        r.put("description", "support intent classifier");
        r.put("environments", List.of("staging", "production"));
        r.put("tiers", tiers);
        return r;
    }

    @Test
    void aDeploymentKeepsItsTiersWithTheDefaultLastAndAnXTierMatchForTheOthers() {
        Model model = model("allowed");
        String name = unique("support-intent");
        JsonNode created = ok(engineer().post("/api/v1/deployments", request(name, model.name(), List.of(
                tier("standard", "default", true),
                tier("premium", "precision", "fp32"),
                tier("partner", "headers", Map.of("X-Partner", "acme")),
                tier("edge", "edge", true)))), 201).json();

        assertThat(created.get("name").asString()).isEqualTo(name);
        assertThat(created.get("modelName").asString()).isEqualTo(model.name());
        assertThat(created.get("environments").toString()).isEqualTo("[\"staging\",\"production\"]");
        JsonNode tiers = created.get("tiers");
        assertThat(tiers.findValuesAsString("name")).containsExactly("premium", "partner", "edge", "standard");
        assertThat(tiers.get(0).get("headers").toString()).isEqualTo("{\"x-tier\":\"premium\"}");
        assertThat(tiers.get(0).get("precision").asString()).isEqualTo("fp32");
        assertThat(tiers.get(1).get("headers").toString()).isEqualTo("{\"x-partner\":\"acme\"}");
        assertThat(tiers.get(2).get("edge").asBoolean()).isTrue();
        assertThat(tiers.get(3).get("default").asBoolean()).isTrue();
        assertThat(tiers.get(3).get("headers").size()).isZero();

        assertThat(ok(userWith("VIEWER").get("/api/v1/deployments/" + name), 200).json().get("tiers"))
                .isEqualTo(tiers);
        JsonNode list = ok(engineer().get("/api/v1/deployments?model=" + model.name()), 200).json();
        assertThat(list.get("items").size()).isEqualTo(1);
        assertThat(list.get("items").get(0).get("name").asString()).isEqualTo(name);
        assertThat(auditCount("deployment.created", name)).isEqualTo(1);
        // Each environment starts with revision 1 of its routing config: no rules yet.
        JsonNode routing = routing(name, "production");
        assertThat(routing.get("revision").asLong()).isEqualTo(1);
        assertThat(routing.get("rules").size()).isZero();
    }

    @Test
    void anUnknownModelIsNotFound() {
        HttpApi.Reply reply = engineer().post("/api/v1/deployments", request(unique("d"), "no-such-model",
                List.of(tier("standard", "default", true))));
        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("modelName");
    }

    @Test
    void aSecondDeploymentOfTheSameNameConflicts() {
        Model model = model("allowed");
        String name = unique("d");
        ok(engineer().post("/api/v1/deployments", request(name, model.name(), List.of(tier("std", "default", true)))),
                201);
        HttpApi.Reply again = engineer().post("/api/v1/deployments", request(name, model.name(),
                List.of(tier("other", "default", true))));
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains(name, "already exists");
        assertThat(ok(engineer().get("/api/v1/deployments/" + name), 200).json().get("tiers").get(0).get("name")
                .asString()).isEqualTo("std");
    }

    @Test
    void badNamesAndTierSetsAreRefusedAndLeaveNothingBehind() {
        Model model = model("allowed");
        Map<String, Object> badName = request("Support_Intent", model.name(), List.of(tier("std", "default", true)));
        assertRefused(badName, "name", "lowercase");

        Map<String, Object> badEnvironment = request(unique("d"), model.name(), List.of(tier("std", "default", true)));
        badEnvironment.put("environments", List.of("staging", "Prod"));
        assertRefused(badEnvironment, "environments[1]", "lowercase");

        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true), tier("b", "default",
                true))), "tiers", "exactly one tier must be");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a"), tier("b"))), "tiers",
                "found none");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true, "headers",
                Map.of("x-tier", "a")))), "tiers[0].headers", "cannot require headers");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true), tier("Bad Tier"))),
                "tiers[1].name", "lowercase");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true), tier("b"), tier("b"))),
                "tiers[2].name", "listed twice");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true),
                tier("b", "precision", "int3"))), "tiers[1].precision", "fp32, fp16, int8, int4");
        assertRefused(request(unique("d"), model.name(), List.of(tier("a", "default", true),
                tier("b", "headers", Map.of("x-tier", "b")), tier("c", "headers", Map.of("x-tier", "b")))),
                "tiers[2].headers", "match the same headers");
        assertRefused(request(unique("d"), model.name(), List.of()), "tiers", "at least one tier");
    }

    private void assertRefused(Map<String, Object> request, String field, String detail) {
        long deployments = jdbc.queryForObject("select count(*) from deployment", Long.class);
        long events = jdbc.queryForObject("select count(*) from audit_event", Long.class);
        HttpApi.Reply reply = engineer().post("/api/v1/deployments", request);
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo(field);
        assertThat(reply.json().get("detail").asString()).contains(detail);
        assertThat(jdbc.queryForObject("select count(*) from deployment", Long.class)).isEqualTo(deployments);
        assertThat(jdbc.queryForObject("select count(*) from audit_event", Long.class)).isEqualTo(events);
    }

    @Test
    void unknownDeploymentsAreNotFoundAndOnlyEngineersDefineThem() {
        assertThat(engineer().get("/api/v1/deployments/no-such-deployment").status()).isEqualTo(404);
        Model model = model("allowed");
        HttpApi.Reply viewer = userWith("VIEWER").post("/api/v1/deployments", request(unique("d"), model.name(),
                List.of(tier("std", "default", true))));
        assertThat(viewer.status()).isEqualTo(403);
    }
}
