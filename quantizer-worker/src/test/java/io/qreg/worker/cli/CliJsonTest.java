package io.qreg.worker.cli;

import io.qreg.worker.json.Json;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the CLI prints as JSON: non-finite figures become null with a note, while the worker protocol keeps them. */
class CliJsonTest {

    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void nonFiniteNumbersBecomeNullWithANoteBesideThemAtAnyDepth() {
        Map<String, Object> report = ordered(
                "metrics", ordered("accuracy", 0.975, "sqnrDb", Double.POSITIVE_INFINITY, "flipRate", Double.NaN),
                "noise", ordered("sqnrDb", Double.NEGATIVE_INFINITY, "speedup", Float.POSITIVE_INFINITY),
                "series", List.of(1.5, Double.NaN, ordered("x", Double.NEGATIVE_INFINITY)),
                "samples", 500L);

        assertThat(CliJson.write(report)).isEqualTo("{\"metrics\":{\"accuracy\":0.975,\"sqnrDb\":null,"
                + "\"sqnrDbNote\":\"identical outputs: no quantization noise (SQNR +Infinity dB)\","
                + "\"flipRate\":null,"
                + "\"flipRateNote\":\"not a number: the figure is undefined here (for example nothing to compare)\"},"
                + "\"noise\":{\"sqnrDb\":null,"
                + "\"sqnrDbNote\":\"no signal: the reference outputs are all zero (SQNR -Infinity dB)\","
                + "\"speedup\":null,\"speedupNote\":\"+Infinity, which JSON cannot hold as a number\"},"
                + "\"series\":[1.5,null,{\"x\":null,\"xNote\":\"-Infinity, which JSON cannot hold as a number\"}],"
                + "\"samples\":500}");
    }

    @Test
    void theRenderedJsonIsStrictAndTheInputIsLeftAsItWas() {
        Map<String, Object> metrics = ordered("sqnrDb", Double.POSITIVE_INFINITY, "maxAbsError", 0.0);

        Map<String, Object> parsed = Json.parseObject(CliJson.write(metrics));

        assertThat(parsed).containsEntry("sqnrDb", null).containsEntry("maxAbsError", 0.0).containsKey("sqnrDbNote");
        assertThat(metrics).containsEntry("sqnrDb", Double.POSITIVE_INFINITY).hasSize(2);
    }

    @Test
    void aNoteTheDataAlreadyCarriesIsNotOverwritten() {
        Map<String, Object> metrics = ordered("sqnrDb", Double.POSITIVE_INFINITY, "sqnrDbNote", "measured twice");

        assertThat(CliJson.write(metrics)).isEqualTo("{\"sqnrDb\":null,\"sqnrDbNote\":\"measured twice\"}");
    }

    @Test
    void theWorkerProtocolStillSpellsInfinityForTheRegistry() {
        // The daemon posts evaluations with Json.write: the registry stores "Infinity" as the worker measured it.
        assertThat(Json.write(ordered("sqnrDb", Double.POSITIVE_INFINITY))).isEqualTo("{\"sqnrDb\":\"Infinity\"}");
    }
}
