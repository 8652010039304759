package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Passes;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The quantization step of {@link io.qreg.engine.pipeline.Quantizer} when sensitivity or an accuracy budget is
 * asked for: measure every layer's sensitivity, run the budget loop if there is a budget, then quantize the
 * model that will be saved (with the budget's layers kept in float) and annotate its layer reports.
 */
public final class SensitiveQuantization {

    /** The layer reports and notes of the saved model, and the budget's outcome if one was set. */
    public record Result(List<LayerReport> layers, List<String> notes, BudgetOutcome budget) {

        public Result {
            layers = List.copyOf(layers);
            notes = List.copyOf(notes);
        }
    }

    private SensitiveQuantization() {
    }

    /**
     * Quantizes {@code model} in place.
     *
     * @throws QuantizationException if an accuracy budget is set without calibration inputs to measure it on,
     *     or the calibration files do not fit the model
     */
    public static Result quantize(OnnxModel model, QuantizationOptions options, SensitivityRequest request,
            ProgressListener progress) throws QuantizationException {
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Double budget = options.accuracyBudget();
        if (budget != null && !(budget > 0)) {
            throw new QuantizationException("the accuracy budget is a relative output error and must be positive,"
                    + " e.g. 0.01 for 1 %; got " + budget);
        }
        Double target = options.targetBitsPerWeight();
        if (target != null) {
            MixedPrecision.check(options);
        }
        if (options.calibrationInputs().isEmpty()) {
            if (target != null) {
                throw new QuantizationException(MixedPrecision.FLAG + " chooses precisions from the per-layer"
                        + " sensitivity measured on calibration samples; give them with --calibration"
                        + " INPUT_NAME=FILE.npy");
            }
            if (budget != null) {
                throw new QuantizationException("an accuracy budget is measured on calibration samples; give them"
                        + " with --calibration INPUT_NAME=FILE.npy");
            }
            QuantizationContext context = apply(model, options, listener);
            List<String> notes = new ArrayList<>(context.notes());
            notes.add("sensitivity not measured: it runs the model on calibration samples and none were given"
                    + " (--calibration INPUT_NAME=FILE.npy)");
            return new Result(context.layers(), notes, null);
        }
        try (SensitivityAnalysis analysis = SensitivityAnalysis.open(model, options, request)) {
            SensitivityAnalysis.Baseline baseline = analysis.baseline();
            if (target != null) {
                return MixedPrecision.quantize(model, options, analysis, baseline, listener);
            }
            List<LayerSensitivity> sensitivities = analysis.layers(baseline.candidates(), listener);
            List<String> notes = new ArrayList<>();
            notes.add(String.format(Locale.ROOT, "sensitivity: SQNR of the model outputs vs FP32 with only that layer"
                    + " quantized, on the first %d calibration samples; with all %d quantized: %.2f dB",
                    analysis.samples(), baseline.candidates().size(), baseline.error().sqnrDb()));
            List<String> dependent = baseline.candidates().stream().map(LayerReport::node)
                    .filter(n -> sensitivities.stream().noneMatch(s -> s.node().equals(n))).toList();
            if (!dependent.isEmpty()) {
                notes.add("sensitivity not measured for layers the method only quantizes together with their"
                        + " neighbours (nothing changes when they are quantized alone): " + dependent);
            }
            if (!baseline.unnamed().isEmpty()) {
                notes.add("sensitivity not measured for unnamed nodes (they cannot be selected or kept in float by"
                        + " name): " + baseline.unnamed());
            }
            AccuracyBudget.Decision decision = budget == null ? null
                    : AccuracyBudget.fallBack(budget, sensitivities, baseline.error(), analysis::withKeptFloat, listener);
            Set<String> excluded = new LinkedHashSet<>(options.excludeNodes());
            if (decision != null) {
                excluded.addAll(decision.keptFloat());
            }
            QuantizationContext context = apply(model, options.withExcludeNodes(excluded), listener);
            notes.addAll(0, context.notes());
            BudgetOutcome outcome = null;
            if (decision != null) {
                outcome = new BudgetOutcome(budget, decision.errors().get(0),
                        analysis.error(model.toProto()).relativeError(), decision.keptFloat());
                notes.add(budgetNote(outcome, decision));
            }
            return new Result(annotate(context.layers(), sensitivities, outcome), notes, outcome);
        }
    }

    private static QuantizationContext apply(OnnxModel model, QuantizationOptions options, ProgressListener progress)
            throws QuantizationException {
        QuantizationContext context = new QuantizationContext(model, options, progress);
        Passes.forMethod(options.method()).apply(context);
        return context;
    }

    /** Adds the SQNR to every measured layer and turns the budget's exclusions into KEPT_FLOAT with the reason. */
    static List<LayerReport> annotate(List<LayerReport> layers, List<LayerSensitivity> sensitivities,
            BudgetOutcome budget) {
        Map<String, LayerSensitivity> byNode = new HashMap<>();
        sensitivities.forEach(s -> byNode.put(s.node(), s));
        List<String> keptFloat = budget == null ? List.of() : budget.keptFloat();
        List<LayerReport> out = new ArrayList<>();
        for (LayerReport layer : layers) {
            LayerReport report = layer;
            LayerSensitivity s = byNode.get(layer.node());
            int rank = keptFloat.indexOf(layer.node());
            if (rank >= 0) {
                report = LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.KEPT_FLOAT, String.format(
                        Locale.ROOT, "accuracy budget: kept in float as the #%d most sensitive layer (SQNR %.2f dB)"
                                + " to bring the relative output error within %s", rank + 1, s.error().reportableSqnrDb(),
                        budget.budget()));
            }
            out.add(s == null ? report : report.withSensitivity(s.error().reportableSqnrDb()));
        }
        return out;
    }

    private static String budgetNote(BudgetOutcome outcome, AccuracyBudget.Decision decision) {
        String verdict = outcome.reached() ? "within the budget"
                : decision.lastError() > outcome.budget()
                        ? "NOT within the budget: no layer left to keep in float"
                        : "NOT within the budget: the saved model, calibrated on the whole set, is worse than the"
                                + " measured variants";
        return String.format(Locale.ROOT, "accuracy budget %s (relative output error sqrt(Σ(ref−out)²/Σref²) vs FP32):"
                + " %.5f with every layer quantized; kept %d layer(s) in float %s; final %.5f, %s",
                outcome.budget(), outcome.initialRelativeError(), outcome.keptFloat().size(), outcome.keptFloat(),
                outcome.finalRelativeError(), verdict);
    }
}
