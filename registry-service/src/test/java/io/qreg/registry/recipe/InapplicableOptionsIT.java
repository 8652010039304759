package io.qreg.registry.recipe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A recipe field its method would ignore is refused naming the field (the engine's MethodOptions table), and
 * nothing is stored: no recipe version, no audit event.
 */
class InapplicableOptionsIT extends RecipeTestSupport {

    static List<Object[]> inapplicable() {
        return List.of(
                new Object[] {"int4-weight", "perChannel", true, "perChannel does not apply to int4-weight:"
                        + " its granularity is blockSize"},
                new Object[] {"int8-weight", "perChannel", true, "perChannel does not apply to int8-weight"},
                new Object[] {"int8-static", "symmetric", false, "symmetric does not apply to int8-static:"
                        + " its weights are always symmetric int8"},
                new Object[] {"fp16", "symmetric", true, "symmetric does not apply to fp16: fp16 has no zero points"},
                new Object[] {"fp16", "blockSize", 32, "blockSize does not apply to fp16"},
                new Object[] {"int8-weight", "calibrationMethod", "minmax",
                        "calibrationMethod does not apply to int8-weight"});
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("inapplicable")
    void aFieldTheMethodIgnoresIsRefusedByNameAndNothingIsStored(String method, String field, Object value,
            String message) {
        assertRefusedStoringNothing(Map.of("method", method, field, value), field, message);
    }

    @ParameterizedTest(name = "{1} on {0}")
    @MethodSource("applicable")
    void theSameFieldsAreTakenWhereTheMethodHonoursThem(String method, String field, Object value) {
        Map<String, Object> body = new HashMap<>(Map.of("name", unique("applicable"), "method", method, field, value));
        if (method.equals("int8-static")) {
            body.put("calibrationMethod", "minmax");
        }
        var reply = admin().post("/api/v1/recipes", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    static List<Object[]> applicable() {
        return List.of(new Object[] {"int8-static", "perChannel", true},
                new Object[] {"int8-dynamic", "symmetric", false},
                new Object[] {"int4-weight", "symmetric", true},
                new Object[] {"int8-weight", "blockSize", 64});
    }
}
