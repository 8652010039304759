package io.qreg.registry.alias;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Model aliases over real HTTP on the embedded PostgreSQL: set, move, read, delete, refusals, rollouts by alias. */
class AliasIT extends RolloutTestSupport {

    @Test
    void anAliasIsSetMovedListedOnTheModelAndDeletedWithEveryChangeAudited() {
        Model model = model("allowed");
        String first = variant(model, "int8-dynamic");
        String second = variant(model, "int8-dynamic");
        String path = "/api/v1/models/" + model.name() + "/aliases/champion";

        JsonNode set = ok(engineer().put(path, Map.of("variantId", first)), 200).json();
        assertThat(set.get("alias").asString()).isEqualTo("champion");
        assertThat(set.get("variantId").asString()).isEqualTo(first);
        assertThat(ok(engineer().get(path), 200).json().get("variantId").asString()).isEqualTo(first);

        ok(engineer().put(path, Map.of("variantId", second)), 200);
        JsonNode shown = ok(engineer().get("/api/v1/models/" + model.name()), 200).json();
        assertThat(shown.get("aliases")).hasSize(1);
        assertThat(shown.get("aliases").get(0).get("alias").asString()).isEqualTo("champion");
        assertThat(shown.get("aliases").get(0).get("variantId").asString()).isEqualTo(second);

        ok(engineer().delete(path), 204);
        HttpApi.Reply gone = engineer().get(path);
        assertProblem(gone, 404, "alias");
        assertThat(ok(engineer().get("/api/v1/models/" + model.name()), 200).json().get("aliases")).isEmpty();

        List<JsonNode> events = aliasEvents(model.name());
        assertThat(events).extracting(e -> e.get("action").asString())
                .containsExactly("alias.created", "alias.moved", "alias.deleted");
        JsonNode moved = HttpApi.JSON.readTree(events.get(1).get("details").asString());
        assertThat(moved.get("from").asString()).isEqualTo("variant " + first);
        assertThat(moved.get("to").asString()).isEqualTo("variant " + second);
    }

    @Test
    void anAliasMayPointAtACheckpointAndPointingItWhereItPointsAuditsNothing() {
        Model model = model("allowed");
        String path = "/api/v1/models/" + model.name() + "/aliases/baseline";
        ok(engineer().put(path, Map.of("checkpointId", model.checkpointId())), 200);
        ok(engineer().put(path, Map.of("checkpointId", model.checkpointId())), 200);
        JsonNode alias = ok(engineer().get(path), 200).json();
        assertThat(alias.get("checkpointId").asString()).isEqualTo(model.checkpointId());
        assertThat(alias.get("variantId").isNull()).isTrue();
        assertThat(aliasEvents(model.name())).hasSize(1);
    }

    @Test
    void badAliasRequestsAreRefusedNamingTheFieldAndStoreNothing() {
        Model model = model("allowed");
        Model other = model("allowed");
        String variant = variant(model, "int8-dynamic");
        String foreign = variant(other, "int8-dynamic");
        String archived = variant(model, "int8-dynamic");
        ok(engineer().post("/api/v1/variants/" + archived + "/archive", Map.of()), 200);
        String base = "/api/v1/models/" + model.name() + "/aliases/";

        assertProblem(engineer().put(base + "Champion!", Map.of("variantId", variant)), 400, "alias");
        assertProblem(engineer().put(base + "latest", Map.of("variantId", variant)), 400, "alias");
        assertProblem(engineer().put(base + "v3", Map.of("variantId", variant)), 400, "alias");
        assertProblem(engineer().put(base + "champion", Map.of()), 400, "variantId");
        assertProblem(engineer().put(base + "champion", Map.of("variantId", variant, "checkpointId",
                model.checkpointId())), 400, "variantId");
        assertProblem(engineer().put(base + "champion", Map.of("variantId", UUID.randomUUID().toString())), 404,
                "variantId");
        assertProblem(engineer().put(base + "champion", Map.of("variantId", foreign)), 422, "variantId");
        assertProblem(engineer().put(base + "champion", Map.of("checkpointId", other.checkpointId())), 422,
                "checkpointId");
        assertProblem(engineer().put(base + "champion", Map.of("variantId", archived)), 409, "variantId");
        assertThat(userWith("VIEWER").put(base + "champion", Map.of("variantId", variant)).status()).isEqualTo(403);
        assertThat(engineer().put("/api/v1/models/no-such-model/aliases/champion", Map.of("variantId", variant))
                .status()).isEqualTo(404);

        assertThat(ok(engineer().get("/api/v1/models/" + model.name() + "/aliases"), 200).json()).isEmpty();
        assertThat(jdbc.queryForObject("select count(*) from model_alias a join model m on m.id = a.model_id"
                + " where m.name = ?", Long.class, model.name())).isZero();
        assertThat(aliasEvents(model.name())).isEmpty();
    }

    @Test
    void aRolloutNamingAnAliasServesWhatItPointsAtAndTheAuditRecordsTheResolution() {
        Model model = model("allowed");
        ApprovedVariant champion = approvedForDefaultTier(model);
        pointChampionAt(model, champion);

        JsonNode rollout = ok(engineer().post("/api/v1/deployments/" + champion.deployment() + "/rollouts",
                Map.of("alias", "champion", "environment", "production", "tier", "default", "steps", List.of(100),
                        "approvalId", champion.approval().toString())), 201).json();

        assertThat(rollout.get("variantId").asString()).isEqualTo(champion.variant());
        JsonNode started = ok(admin().get("/api/v1/audit?action=rollout.started&subjectId="
                + rollout.get("id").asString()), 200).json().get("items").get(0);
        JsonNode details = HttpApi.JSON.readTree(started.get("details").asString());
        assertThat(details.get("alias").asString()).isEqualTo("champion");
        assertThat(details.get("aliasResolvedTo").asString()).isEqualTo("variant " + champion.variant());
    }

    @Test
    void aRolloutNamingAnUnknownAliasOrAnAliasBesideAnIdIsRefusedAndStartsNothing() {
        Model model = model("allowed");
        ApprovedVariant champion = approvedForDefaultTier(model);
        pointChampionAt(model, champion);
        Map<String, Object> request = new HashMap<>(Map.of("environment", "production", "tier", "default",
                "steps", List.of(100), "approvalId", champion.approval().toString()));
        String rollouts = "/api/v1/deployments/" + champion.deployment() + "/rollouts";

        request.put("alias", "challenger");
        assertProblem(engineer().post(rollouts, request), 404, "alias");
        request.put("alias", "Not An Alias");
        assertProblem(engineer().post(rollouts, request), 400, "alias");
        request.put("alias", "champion");
        request.put("variantId", champion.variant());
        assertProblem(engineer().post(rollouts, request), 400, "variantId");

        assertThat(rolloutsOf(champion.deployment())).isZero();
    }

    private void pointChampionAt(Model model, ApprovedVariant variant) {
        ok(engineer().put("/api/v1/models/" + model.name() + "/aliases/champion",
                Map.of("variantId", variant.variant())), 200);
    }

    private List<JsonNode> aliasEvents(String model) {
        List<JsonNode> events = new ArrayList<>();
        ok(admin().get("/api/v1/audit?subjectType=model&subjectId=" + model + "&size=200"), 200).json().get("items")
                .forEach(e -> {
                    if (e.get("action").asString().startsWith("alias.")) {
                        events.add(e);
                    }
                });
        events.sort((a, b) -> Long.compare(a.get("seq").asLong(), b.get("seq").asLong()));
        return events;
    }

    static void assertProblem(HttpApi.Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).as(reply.body()).isTrue();
        assertThat(reply.json().get("field").asString()).as(reply.body()).isEqualTo(field);
    }
}
