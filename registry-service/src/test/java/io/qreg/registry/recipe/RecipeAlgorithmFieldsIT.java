package io.qreg.registry.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Bodies;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The issue-13 recipe fields: algorithm, gptqDamp, actOrder, smoothQuantAlpha, targetBitsPerWeight. Stored and
 * returned where they apply, refused by name where they do not (nothing stored), and absent from the hash of a
 * recipe that leaves them at their defaults, so every recipe hashed before them keeps its hash.
 */
class RecipeAlgorithmFieldsIT extends RecipeTestSupport {

    private static Map<String, Object> recipe(String name, Object... fields) {
        return Bodies.with(Map.of("name", name), fields);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aRecipeAtTheDefaultsHashesExactlyAsBeforeTheNewFields() throws Exception {
        // The canonical JSON recipes were hashed over before issue 13, written out by hand.
        String before = "{\"accuracyBudget\":null,\"blockSize\":32,\"calibrationMethod\":null,\"excludeNodes\":[],"
                + "\"excludeOpTypes\":[],\"method\":\"int4-weight\",\"notes\":null,\"perChannel\":false,"
                + "\"percentile\":null,\"symmetric\":false}";
        String name = unique("int4-old");

        var omitted = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight"));
        var explicitRtn = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight", "algorithm", "rtn"));

        assertThat(omitted.status()).as(omitted.body()).isEqualTo(201);
        assertThat(omitted.json().get("hash").asString()).isEqualTo(sha256(before));
        assertThat(omitted.json().get("algorithm").asString()).isEqualTo("rtn");
        assertThat(explicitRtn.status()).as("rtn is the default, so the same version").isEqualTo(200);
        assertThat(explicitRtn.json().get("version").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("select canonical_json from recipe where name = ?", String.class, name))
                .isEqualTo(before);
        assertThat(jdbc.queryForObject("select algorithm from recipe where name = ?", String.class, name))
                .isEqualTo("rtn");

        String dynamic = "{\"accuracyBudget\":null,\"blockSize\":null,\"calibrationMethod\":null,\"excludeNodes\":[],"
                + "\"excludeOpTypes\":[],\"method\":\"int8-dynamic\",\"notes\":null,\"perChannel\":true,"
                + "\"percentile\":null,\"symmetric\":true}";
        var int8 = admin().post("/api/v1/recipes", recipe(unique("int8-old"), "method", "int8-dynamic",
                "perChannel", true));
        assertThat(int8.json().get("hash").asString()).isEqualTo(sha256(dynamic));
        assertThat(int8.json().get("algorithm").isNull()).as("int8-dynamic has no algorithm").isTrue();
    }

    @Test
    void gptqRecipesRecordTheirDefaultsAndBecomeNewVersions() {
        String name = unique("int4");
        var rtn = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight", "symmetric", true));
        var gptq = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight", "symmetric", true,
                "algorithm", "gptq"));
        var sameGptq = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight", "symmetric", true,
                "algorithm", "GPTQ", "gptqDamp", 0.01, "actOrder", false));
        var actOrder = admin().post("/api/v1/recipes", recipe(name, "method", "int4-weight", "symmetric", true,
                "algorithm", "gptq", "actOrder", true, "gptqDamp", 0.05));

        assertThat(gptq.status()).as(gptq.body()).isEqualTo(201);
        assertThat(gptq.json().get("version").asInt()).isEqualTo(2);
        assertThat(gptq.json().get("hash").asString()).isNotEqualTo(rtn.json().get("hash").asString());
        assertThat(gptq.json().get("algorithm").asString()).isEqualTo("gptq");
        assertThat(gptq.json().get("gptqDamp").asDouble()).isEqualTo(0.01);
        assertThat(gptq.json().get("actOrder").asBoolean()).isFalse();
        assertThat(sameGptq.status()).as("the defaults spelled out are the same recipe").isEqualTo(200);
        assertThat(sameGptq.json().get("version").asInt()).isEqualTo(2);
        assertThat(actOrder.json().get("version").asInt()).isEqualTo(3);
        var read = admin().get("/api/v1/recipes/" + name + "/versions/3").json();
        assertThat(read.get("actOrder").asBoolean()).isTrue();
        assertThat(read.get("gptqDamp").asDouble()).isEqualTo(0.05);
        assertThat(jdbc.queryForObject("select act_order from recipe where name = ? and version = 3", Boolean.class,
                name)).isTrue();

        var smooth = admin().post("/api/v1/recipes", recipe(unique("sq"), "method", "int8-static",
                "calibrationMethod", "minmax", "smoothQuantAlpha", "auto"));
        assertThat(smooth.status()).as(smooth.body()).isEqualTo(201);
        assertThat(smooth.json().get("smoothQuantAlpha").asString()).isEqualTo("auto");
        var alpha = admin().post("/api/v1/recipes", recipe(unique("sq"), "method", "int8-static",
                "calibrationMethod", "minmax", "smoothQuantAlpha", 0.5));
        assertThat(alpha.json().get("smoothQuantAlpha").asDouble()).isEqualTo(0.5);
        var mixed = admin().post("/api/v1/recipes", recipe(unique("mixed"), "method", "int4-weight",
                "targetBitsPerWeight", 5.5));
        assertThat(mixed.json().get("targetBitsPerWeight").asDouble()).isEqualTo(5.5);
        assertThat(mixed.json().get("algorithm").asString()).isEqualTo("rtn");
        var gptqMixed = admin().post("/api/v1/recipes", recipe(unique("mixed-gptq"), "method", "int4-weight",
                "algorithm", "gptq", "symmetric", true, "targetBitsPerWeight", 5.5));
        assertThat(gptqMixed.status()).as(gptqMixed.body()).isEqualTo(201);
        assertThat(gptqMixed.json().get("targetBitsPerWeight").asDouble()).isEqualTo(5.5);
        assertThat(gptqMixed.json().get("algorithm").asString()).isEqualTo("gptq");
    }

    static List<Object[]> refused() {
        return List.of(
                new Object[] {Map.of("method", "int8-dynamic", "algorithm", "gptq"), "algorithm",
                        "algorithm does not apply to int8-dynamic"},
                new Object[] {Map.of("method", "int4-weight", "algorithm", "squeeze"), "algorithm",
                        "algorithm must be one of rtn, gptq, awq, hqq"},
                new Object[] {Map.of("method", "int4-weight", "gptqDamp", 0.01), "gptqDamp",
                        "gptqDamp applies only with algorithm 'gptq'"},
                new Object[] {Map.of("method", "int4-weight", "algorithm", "awq", "actOrder", true), "actOrder",
                        "actOrder applies only with algorithm 'gptq'"},
                new Object[] {Map.of("method", "int4-weight", "algorithm", "gptq", "gptqDamp", 2), "gptqDamp",
                        "gptqDamp is the Hessian dampening"},
                new Object[] {Map.of("method", "int8-dynamic", "smoothQuantAlpha", 0.5), "smoothQuantAlpha",
                        "smoothQuantAlpha does not apply to int8-dynamic"},
                new Object[] {Map.of("method", "int8-static", "calibrationMethod", "minmax", "smoothQuantAlpha",
                        1.5), "smoothQuantAlpha", "smoothQuantAlpha is the migration strength, a number from 0 to 1"},
                new Object[] {Map.of("method", "int8-static", "calibrationMethod", "minmax", "smoothQuantAlpha",
                        "always"), "smoothQuantAlpha", "smoothQuantAlpha is the migration strength, a number from 0 to 1"},
                new Object[] {Map.of("method", "int8-weight", "targetBitsPerWeight", 5.5), "targetBitsPerWeight",
                        "targetBitsPerWeight does not apply to int8-weight"},
                new Object[] {Map.of("method", "int4-weight", "targetBitsPerWeight", 0), "targetBitsPerWeight",
                        "targetBitsPerWeight is the most bits per weight"},
                new Object[] {Map.of("method", "int4-weight", "targetBitsPerWeight", 5.5, "accuracyBudget", 0.01),
                        "targetBitsPerWeight", "targetBitsPerWeight and accuracyBudget"},
                new Object[] {Map.of("method", "int4-weight", "algorithm", "hqq", "targetBitsPerWeight", 5.5),
                        "targetBitsPerWeight", "targetBitsPerWeight with algorithm hqq needs symmetric true"});
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("refused")
    void aFieldThatDoesNotApplyOrIsOutOfRangeIsRefusedByNameAndNothingIsStored(Map<String, Object> fields,
            String field, String message) {
        assertRefusedStoringNothing(fields, field, message);
    }
}
