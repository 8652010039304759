package io.qreg.registry.tag;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** Tags on models, checkpoints and variants over real HTTP: set, filter lists, remove, audit, refusals. */
class TagIT extends RolloutTestSupport {

    @Test
    void aModelTagFiltersTheModelListUntilItIsRemovedAndEveryChangeIsAudited() {
        Model tagged = model("allowed");
        Model untagged = model("allowed");
        String tagPath = "/api/v1/models/" + tagged.name() + "/tags/team";

        JsonNode set = ok(engineer().put(tagPath, Map.of("value", "search:ranking")), 200).json();
        assertThat(set.get("tags").get("team").asString()).isEqualTo("search:ranking");
        ok(engineer().put(tagPath, Map.of("value", "search")), 200);
        assertThat(ok(engineer().get("/api/v1/models/" + tagged.name()), 200).json().get("tags").get("team")
                .asString()).isEqualTo("search");

        assertThat(names(engineer().get("/api/v1/models?size=200&tag=team:search"))).contains(tagged.name())
                .doesNotContain(untagged.name());
        assertThat(names(engineer().get("/api/v1/models?size=200&tag=team:other"))).doesNotContain(tagged.name());

        ok(engineer().delete(tagPath), 200);
        assertThat(names(engineer().get("/api/v1/models?size=200&tag=team:search"))).doesNotContain(tagged.name());
        assertThat(ok(engineer().get("/api/v1/models/" + tagged.name()), 200).json().get("tags")).isEmpty();

        List<String> actions = new ArrayList<>();
        ok(admin().get("/api/v1/audit?subjectType=model&subjectId=" + tagged.name() + "&size=200"), 200).json()
                .get("items").forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).filteredOn(a -> a.startsWith("tag.")).containsExactlyInAnyOrder("tag.set", "tag.set",
                "tag.removed");
    }

    @Test
    void aValueHoldingColonsIsMatchedWholeByTheFilter() {
        Model model = model("allowed");
        ok(engineer().put("/api/v1/models/" + model.name() + "/tags/source", Map.of("value", "s3://bucket/a:b")), 200);
        assertThat(names(engineer().get("/api/v1/models?size=200&tag=" + encode("source:s3://bucket/a:b"))))
                .containsExactly(model.name());
    }

    @Test
    void checkpointAndVariantTagsFilterTheirListsAndShowOnTheirReads() {
        Model model = model("allowed");
        String tagged = variant(model, "int8-dynamic");
        String untagged = variant(model, "int8-dynamic");
        ok(engineer().put("/api/v1/variants/" + tagged + "/tags/stage", Map.of("value", "candidate")), 200);
        ok(engineer().put("/api/v1/checkpoints/" + model.checkpointId() + "/tags/source", Map.of("value", "hf")),
                200);

        JsonNode variants = ok(engineer().get("/api/v1/models/" + model.name() + "/variants?tag=stage:candidate"),
                200).json().get("items");
        assertThat(variants).hasSize(1);
        assertThat(variants.get(0).get("id").asString()).isEqualTo(tagged);
        assertThat(variants.get(0).get("tags").get("stage").asString()).isEqualTo("candidate");
        assertThat(ok(engineer().get("/api/v1/variants/" + untagged), 200).json().get("tags")).isEmpty();
        assertThat(ok(engineer().get("/api/v1/variants/" + tagged), 200).json().get("tags").get("stage").asString())
                .isEqualTo("candidate");

        JsonNode checkpoints = ok(engineer().get("/api/v1/models/" + model.name() + "/checkpoints?tag=source:hf"),
                200).json().get("items");
        assertThat(checkpoints).hasSize(1);
        assertThat(checkpoints.get(0).get("tags").get("source").asString()).isEqualTo("hf");
        assertThat(ok(engineer().get("/api/v1/models/" + model.name() + "/checkpoints?tag=source:local"), 200).json()
                .get("items")).isEmpty();
        assertThat(ok(engineer().get("/api/v1/checkpoints/" + model.checkpointId()), 200).json().get("tags")
                .get("source").asString()).isEqualTo("hf");

        ok(engineer().delete("/api/v1/variants/" + tagged + "/tags/stage"), 200);
        assertThat(ok(engineer().get("/api/v1/models/" + model.name() + "/variants?tag=stage:candidate"), 200).json()
                .get("items")).isEmpty();
    }

    @Test
    void badTagsAreRefusedNamingTheFieldAndStoreNothing() {
        Model model = model("allowed");
        String variant = variant(model, "int8-dynamic");
        String base = "/api/v1/models/" + model.name() + "/tags/";
        long before = tagRows();

        assertProblem(engineer().put(base + encode("bad key"), Map.of("value", "x")), 400, "key");
        assertProblem(engineer().put(base + "-team", Map.of("value", "x")), 400, "key");
        assertProblem(engineer().put(base + "team", Map.of()), 400, "value");
        assertProblem(engineer().put(base + "team", Map.of("value", "x".repeat(257))), 400, "value");
        assertProblem(engineer().put(base + "team", Map.of("value", "line\nbreak")), 400, "value");
        assertProblem(engineer().put("/api/v1/variants/" + variant + "/tags/team", Map.of()), 400, "value");
        assertProblem(engineer().delete(base + "never-set"), 404, "key");
        assertProblem(engineer().get("/api/v1/models?tag=no-colon"), 400, "tag");
        assertProblem(engineer().get("/api/v1/models/" + model.name() + "/variants?tag=" + encode("bad key:x")), 400,
                "tag");
        assertThat(engineer().put("/api/v1/checkpoints/00000000-0000-0000-0000-000000000000/tags/team",
                Map.of("value", "x")).status()).isEqualTo(404);
        assertThat(userWith("VIEWER").put(base + "team", Map.of("value", "x")).status()).isEqualTo(403);

        assertThat(tagRows()).isEqualTo(before);
        assertThat(ok(engineer().get("/api/v1/models/" + model.name()), 200).json().get("tags")).isEmpty();
    }

    private long tagRows() {
        return jdbc.queryForObject("select count(*) from subject_tag", Long.class);
    }

    private static List<String> names(HttpApi.Reply reply) {
        List<String> names = new ArrayList<>();
        ok(reply, 200).json().get("items").forEach(m -> names.add(m.get("name").asString()));
        return names;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static void assertProblem(HttpApi.Reply reply, int status, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).as(reply.body()).isTrue();
        assertThat(reply.json().get("field").asString()).as(reply.body()).isEqualTo(field);
    }
}
