package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class FiguresTest {

    @Test
    void aPerfectSqnrStoredAsTheWorkersInfinityStringReadsAsInfinityNotAsMissing() {
        Map<String, Object> metrics = Map.of("sqnrDb", "Infinity", "accuracy", 0.97, "odd", "n/a");

        assertThat(Figures.number(metrics, "sqnrDb")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(Figures.number(Figures.number(metrics, "sqnrDb"))).isEqualTo("∞");
        assertThat(Figures.number(metrics, "accuracy")).isEqualTo(0.97);
        assertThat(Figures.number(metrics, "odd")).isNull();
        assertThat(Figures.number(metrics, "absent")).isNull();
    }

    @Test
    void infiniteAndMissingFiguresAreWrittenAsSymbolsNeverAsJavasWords() {
        assertThat(Figures.number(Double.NEGATIVE_INFINITY)).isEqualTo("\u2212∞");
        assertThat(Figures.number(Double.NaN)).isEqualTo("—");
        assertThat(Figures.signed(Double.POSITIVE_INFINITY, "%.4f")).isEqualTo("+∞");
        assertThat(Figures.signed(-0.004, "%.4f")).isEqualTo("\u22120.0040");
        assertThat(Figures.number(123.456)).isEqualTo("123.5");
    }
}
