package io.qreg.registry.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Bodies;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecipeVersioningIT extends IntegrationTest {

    private static Map<String, Object> recipe(String name, Object... fields) {
        return Bodies.with(Map.of("name", name), fields);
    }

    @Test
    void changedRecipeBecomesNextVersionAndIdenticalOneReturnsExisting() {
        String name = unique("int8");
        var v1 = admin().post("/api/v1/recipes", recipe(name, "method", "int8-dynamic", "perChannel", true));
        assertThat(v1.status()).as(v1.body()).isEqualTo(201);
        assertThat(v1.json().get("version").asInt()).isEqualTo(1);
        String hash1 = v1.json().get("hash").asString();
        assertThat(hash1).hasSize(64);

        var same = admin().post("/api/v1/recipes", recipe(name, "method", "int8-dynamic", "perChannel", true,
                "symmetric", true));
        assertThat(same.status()).as("defaults filled in hash alike").isEqualTo(200);
        assertThat(same.json().get("version").asInt()).isEqualTo(1);
        assertThat(same.json().get("hash").asString()).isEqualTo(hash1);

        var v2 = admin().post("/api/v1/recipes", recipe(name, "method", "int8-dynamic", "perChannel", true,
                "excludeOpTypes", List.of("Gather")));
        assertThat(v2.status()).isEqualTo(201);
        assertThat(v2.json().get("version").asInt()).isEqualTo(2);
        assertThat(v2.json().get("hash").asString()).isNotEqualTo(hash1);

        var back = admin().post("/api/v1/recipes", recipe(name, "method", "int8-dynamic", "perChannel", true));
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().get("version").asInt()).isEqualTo(1);

        var read = admin().get("/api/v1/recipes/" + name + "/versions/2");
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("excludeOpTypes").get(0).asString()).isEqualTo("Gather");
        assertThat(admin().get("/api/v1/recipes/" + name).json()).hasSize(2);
        assertThat(admin().get("/api/v1/recipes/" + name + "/versions/3").status()).isEqualTo(404);
    }

    @Test
    void listOrderDoesNotChangeTheHash() {
        String name = unique("order");
        var a = admin().post("/api/v1/recipes", recipe(name, "method", "int8-static", "calibrationMethod", "minmax",
                "excludeNodes", List.of("b", "a")));
        var b = admin().post("/api/v1/recipes", recipe(name, "method", "int8-static", "calibrationMethod", "minmax",
                "excludeNodes", List.of("a", "b", "a")));
        assertThat(b.status()).isEqualTo(200);
        assertThat(b.json().get("hash").asString()).isEqualTo(a.json().get("hash").asString());
    }

    @Test
    void blockWiseDefaultsAreRecorded() {
        var reply = admin().post("/api/v1/recipes", recipe(unique("int4"), "method", "int4-weight"));
        assertThat(reply.status()).isEqualTo(201);
        assertThat(reply.json().get("blockSize").asInt()).isEqualTo(32);
        assertThat(reply.json().get("symmetric").asBoolean()).isFalse();
        var percentile = admin().post("/api/v1/recipes", recipe(unique("pct"), "method", "int8-static",
                "calibrationMethod", "percentile"));
        assertThat(percentile.json().get("percentile").asDouble()).isEqualTo(99.999);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            int8-static without calibration | int8-static  |               |     | calibrationMethod | needs a calibrationMethod
            block size not a power of two   | int4-weight  |               | 48  | blockSize         | power of two
            block size below 16             | int8-weight  |               | 8   | blockSize         | power of two
            block size on a dynamic recipe  | int8-dynamic |               | 32  | blockSize         | does not apply to int8-dynamic
            unknown method                  | int3-magic   |               |     | method            | unknown method 'int3-magic'
            unknown calibrator              | int8-static  | median        |     | calibrationMethod | minmax, percentile or entropy
            calibration on a dynamic recipe | int8-dynamic | minmax        |     | calibrationMethod | does not apply to int8-dynamic
            """)
    void impossibleCombinationsAreRejectedNamingTheField(String why, String method, String calibration,
            Integer blockSize, String field, String message) {
        Map<String, Object> body = recipe(unique("bad"), "method", method);
        if (calibration != null) {
            body.put("calibrationMethod", calibration);
        }
        if (blockSize != null) {
            body.put("blockSize", blockSize);
        }
        var reply = admin().post("/api/v1/recipes", body);

        assertThat(reply.status()).as(why).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo(field);
        assertThat(reply.json().get("detail").asString()).contains(message);
    }

    @Test
    void rejectedRecipeCreatesNoVersionAndNoAuditEvent() {
        String name = unique("nothing");
        long events = jdbc.queryForObject("select count(*) from audit_event", Long.class);
        admin().post("/api/v1/recipes", recipe(name, "method", "fp16", "perChannel", true));
        assertThat(jdbc.queryForObject("select count(*) from recipe where name = ?", Integer.class, name)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event", Long.class)).isEqualTo(events);
    }
}
