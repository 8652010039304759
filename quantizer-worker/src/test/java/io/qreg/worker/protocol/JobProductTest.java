package io.qreg.worker.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JobProductTest {

    @Test
    void eachJobTypeSendsItsOwnMapFirstThenTheVersionsAsWorkersAlwaysHave() {
        assertThat(JobProduct.quantized(Map.of(), "e", "o", "ab".repeat(32), 10).toJson().keySet())
                .containsExactly("report", "engineVersion", "onnxRuntimeVersion", "sha256", "sizeBytes");
        assertThat(JobProduct.evaluated(Map.of(), "e", "o").toJson().keySet())
                .containsExactly("evaluation", "engineVersion", "onnxRuntimeVersion");
        assertThat(JobProduct.benchmarked(Map.of(), "e", "o").toJson().keySet())
                .containsExactly("benchmark", "engineVersion", "onnxRuntimeVersion");
        assertThat(JobProduct.NONE.toJson()).isEmpty();
    }

    @Test
    void aMemberOfTheWrongTypeIsRefusedByName() {
        assertThatThrownBy(() -> JobProduct.fromJson(Map.of("evaluation", List.of())))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("evaluation"))
                .hasMessage("\"evaluation\" should be an object, got an array");
        assertThatThrownBy(() -> JobProduct.fromJson(Map.of("sizeBytes", "87495")))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.field()).isEqualTo("sizeBytes"));
        assertThatThrownBy(() -> JobProduct.fromJson(Map.of("engineVersion", 1)))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.field()).isEqualTo("engineVersion"));
    }

    @Test
    void theQuantizedLayerCountsComeFromTheReportsPrecisionMixWhenItHasOne() {
        JobProduct mixed = JobProduct.fromJson(Map.of("report", Map.of("precisionMix",
                Map.of("quantizedLayers", 0, "layers", Map.of("total", 12)))));
        assertThat(mixed.quantizedLayers()).contains(0L);
        assertThat(mixed.totalLayers()).contains(12L);
        JobProduct older = JobProduct.fromJson(Map.of("report", Map.of("layers", List.of())));
        assertThat(older.quantizedLayers()).isEqualTo(Optional.empty());
        assertThat(older.totalLayers()).isEqualTo(Optional.empty());
        assertThat(JobProduct.NONE.quantizedLayers()).isEmpty();
    }
}
