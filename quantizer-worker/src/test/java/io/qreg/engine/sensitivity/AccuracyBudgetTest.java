package io.qreg.engine.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.ProgressListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fallback loop's decisions against a scripted error measure, no model involved. */
class AccuracyBudgetTest {

    /** An error whose relative error is {@code e} (signal 1, noise e²). */
    private static OutputError relative(double e) {
        return new OutputError(1, e * e);
    }

    private static LayerSensitivity layer(String node, double sqnrDb) {
        return new LayerSensitivity(node, "MatMul", new OutputError(1, Math.pow(10, -sqnrDb / 10)));
    }

    @Test
    void fallsBackLowestSqnrFirstAndStopsOnceWithinBudget() throws Exception {
        List<LayerSensitivity> layers = List.of(layer("a", 40), layer("b", 20), layer("c", 30));
        Map<Set<String>, Double> errors = Map.of(Set.of("b"), 0.05, Set.of("b", "c"), 0.009);
        List<Set<String>> asked = new ArrayList<>();

        AccuracyBudget.Decision d = AccuracyBudget.fallBack(0.01, layers, relative(0.2), kept -> {
            asked.add(Set.copyOf(kept));
            return relative(errors.get(Set.copyOf(kept)));
        }, ProgressListener.NONE);

        assertThat(d.keptFloat()).containsExactly("b", "c");
        assertThat(d.errors()).containsExactly(0.2, 0.05, 0.009);
        assertThat(asked).containsExactly(Set.of("b"), Set.of("b", "c"));
    }

    @Test
    void alreadyWithinBudgetMeasuresNothingMore() throws Exception {
        AccuracyBudget.Decision d = AccuracyBudget.fallBack(0.01, List.of(layer("a", 40)), relative(0.005),
                kept -> {
                    throw new AssertionError("no re-measurement expected");
                }, ProgressListener.NONE);

        assertThat(d.keptFloat()).isEmpty();
        assertThat(d.lastError()).isEqualTo(0.005);
    }

    @Test
    void runningOutOfLayersEndsAboveTheBudgetWithEveryLayerKept() throws Exception {
        AccuracyBudget.Decision d = AccuracyBudget.fallBack(0.001, List.of(layer("a", 40), layer("b", 30)),
                relative(0.1), kept -> relative(0.01), ProgressListener.NONE);

        assertThat(d.keptFloat()).containsExactly("b", "a");
        assertThat(d.lastError()).isGreaterThan(0.001);
    }

    @Test
    void aLayerThatBreaksTheOutputIsTheMostSensitive() {
        LayerSensitivity broken = new LayerSensitivity("nan", "MatMul", new OutputError(1, Double.NaN));

        assertThat(AccuracyBudget.ranked(List.of(layer("a", 10), broken)))
                .extracting(LayerSensitivity::node).containsExactly("nan", "a");
    }
}
