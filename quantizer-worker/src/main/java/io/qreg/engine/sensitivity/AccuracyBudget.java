package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.QuantizationException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Intel Neural Compressor's accumulated fallback: starting from everything quantized, put the most sensitive
 * remaining layer back to float and re-measure, until the relative output error is within the budget or no
 * layer is left. Re-measuring after each step (instead of predicting from the single-layer figures) matters
 * because layer errors do not add up exactly: they interact through the layers between them.
 */
final class AccuracyBudget {

    static final String STAGE = "accuracy budget";

    /** The relative error of the model quantized with the given layers kept in float. */
    interface ErrorMeasure {
        OutputError measure(Set<String> keptFloat) throws QuantizationException;
    }

    /**
     * @param keptFloat in the order they were put back to float, most sensitive first
     * @param errors the relative error after each step; {@code errors[0]} is with everything quantized
     */
    record Decision(List<String> keptFloat, List<Double> errors) {

        double lastError() {
            return errors.get(errors.size() - 1);
        }
    }

    private AccuracyBudget() {
    }

    /** Most sensitive first: lowest SQNR, a layer that broke the output (NaN) before everything. */
    static List<LayerSensitivity> ranked(List<LayerSensitivity> layers) {
        return layers.stream()
                .sorted(Comparator.comparingDouble(l -> Double.isNaN(l.sqnrDb()) ? Double.NEGATIVE_INFINITY : l.sqnrDb()))
                .toList();
    }

    static Decision fallBack(double budget, List<LayerSensitivity> layers, OutputError allQuantized,
            ErrorMeasure measure, ProgressListener progress) throws QuantizationException {
        List<LayerSensitivity> order = ranked(layers);
        Set<String> keptFloat = new LinkedHashSet<>();
        List<Double> errors = new ArrayList<>(List.of(allQuantized.relativeError()));
        progress.progress(STAGE, 0, order.size());
        for (LayerSensitivity layer : order) {
            // A NaN error (a broken output) compares false, so it keeps falling back too.
            if (errors.get(errors.size() - 1) <= budget) {
                break;
            }
            keptFloat.add(layer.node());
            errors.add(measure.measure(keptFloat).relativeError());
            progress.progress(STAGE, keptFloat.size(), order.size());
        }
        return new Decision(List.copyOf(keptFloat), List.copyOf(errors));
    }
}
