package io.qreg.worker.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {

    @Test
    void readsNestedObjectsAndArraysKeepingKeyOrder() {
        Map<String, Object> json = Json.parseObject(
                " {\"b\": [1, {\"x\": null}, []], \"a\": {\"t\": true, \"f\": false}, \"e\": {}}\n");
        assertThat(json.keySet()).containsExactly("b", "a", "e");
        assertThat(json.get("b")).isEqualTo(List.of(1L, mapWithNull("x"), List.of()));
        assertThat(json.get("a")).isEqualTo(Map.of("t", true, "f", false));
        assertThat(json.get("e")).isEqualTo(Map.of());
    }

    @Test
    void integersAreLongsAndOtherNumbersDoubles() {
        Object numbers = Json.parse("[0, -7, 9007199254740993, 1.5, -0.25, 1e3, 2E-2, 1.0, 12345678901234567890]");
        assertThat(numbers).isEqualTo(List.of(0L, -7L, 9007199254740993L, 1.5, -0.25, 1000.0, 0.02, 1.0,
                1.2345678901234567E19));
    }

    @Test
    void decodesEveryEscape() {
        assertThat(Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\u20AC \\ud83d\\ude00\""))
                .isEqualTo("q\" b\\ s/ \b\f\n\r\t é€ \ud83d\ude00");
    }

    @Test
    void roundTripsWhatTheWriterWrites() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("s", "line\nbreak \"quoted\" \u0001");
        value.put("n", 42L);
        value.put("d", 0.125);
        value.put("list", Arrays.asList("a", null, true));
        value.put("nested", Map.of("k", List.of()));
        assertThat(Json.parse(Json.write(value))).isEqualTo(value);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{a:1}", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]",
        "NaN", "[Infinity]", "tru", "nul", "\"unterminated", "\"bad \\x escape\"", "\"\\u12\"", "\"\\u12G4\"",
        "\"raw\ttab\"", "{\"a\":1}{}", "[1] 2", "{\"a\":1,\"a\":2}", "{\"a\" 1}", "[1 2]", "\u00a0[]",
    })
    void rejectsWhatRfc8259Rejects(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid JSON at offset");
    }

    @Test
    void refusesHostileNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nesting deeper");
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void parseObjectInsistsOnAnObject() {
        assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessageContaining("expected a JSON object");
    }

    @Test
    void errorsSayWhere() {
        assertThatThrownBy(() -> Json.parse("{\"a\": [1, 2,, 3]}")).hasMessage(
                "invalid JSON at offset 12: unexpected character ','");
    }

    private static Map<String, Object> mapWithNull(String key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(key, null);
        return m;
    }

    @Test
    void jsonWriterEscapesStringsAndSpellsNonFiniteNumbers() {
        String json = JsonWriter.write(new LinkedHashMap<>(Map.of("k", "a\"b\\c\n\u0001")));

        assertThat(json).isEqualTo("{\"k\":\"a\\\"b\\\\c\\n\\u0001\"}");
        assertThat(JsonWriter.write(List.of(1.5, Double.POSITIVE_INFINITY, Double.NaN, 3, true)))
                .isEqualTo("[1.5,\"Infinity\",\"NaN\",3,true]");
        assertThat(Json.parse(json)).isEqualTo(Map.of("k", "a\"b\\c\n\u0001"));
    }
}
