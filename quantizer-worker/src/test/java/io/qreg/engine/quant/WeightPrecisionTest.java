package io.qreg.engine.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WeightPrecisionTest {

    @Test
    void eachMethodLeavesItsWeightsAtThePrecisionOfItsBits() {
        assertThat(WeightPrecision.of(Method.INT8_DYNAMIC)).isEqualTo(WeightPrecision.INT8);
        assertThat(WeightPrecision.of(Method.INT8_STATIC)).isEqualTo(WeightPrecision.INT8);
        assertThat(WeightPrecision.of(Method.INT8_WEIGHT)).isEqualTo(WeightPrecision.INT8);
        assertThat(WeightPrecision.of(Method.INT4_WEIGHT)).isEqualTo(WeightPrecision.INT4);
        assertThat(WeightPrecision.of(Method.FP16)).isEqualTo(WeightPrecision.FP16);
        // A QAT export may hold 4-bit weights, so it is judged at the narrowest it can store.
        assertThat(WeightPrecision.of(Method.QAT)).isEqualTo(WeightPrecision.INT4);
    }

    @Test
    void wireNamesParseBackAndAreListedMostExactFirst() {
        for (WeightPrecision p : WeightPrecision.values()) {
            assertThat(WeightPrecision.parse(p.wireName())).isEqualTo(p);
        }
        assertThat(WeightPrecision.wireNames()).containsExactly("fp32", "fp16", "int8", "int4");
        assertThat(WeightPrecision.FP32.bits()).isGreaterThan(WeightPrecision.FP16.bits());
    }

    @Test
    void anUnknownPrecisionIsRefusedNamingTheAcceptedOnes() {
        assertThatThrownBy(() -> WeightPrecision.parse("bf16")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bf16'").hasMessageContaining("fp32, fp16, int8, int4");
    }
}
