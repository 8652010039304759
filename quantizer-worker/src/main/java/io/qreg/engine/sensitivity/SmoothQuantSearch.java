package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --smooth-quant auto}: SmoothQuant's best α depends on the model (the paper finds 0.4–0.6 for most LLMs and
 * up to 0.75 or more for some), so it is chosen on the calibration data. Each candidate α is applied, the model
 * quantized with int8-static in memory, and its outputs compared with FP32's on the first calibration samples (the
 * same bounded measurement as sensitivity analysis); the α with the least output error wins. Static without smoothing
 * is measured too: if no α beats it (a model without activation outliers), SmoothQuant is left off, so auto does no
 * harm on the data it was given.
 */
public final class SmoothQuantSearch {

    /** The α searched, 0.3 to 0.8 in steps of 0.1. */
    public static final List<Double> CANDIDATES = List.of(0.3, 0.4, 0.5, 0.6, 0.7, 0.8);
    static final String STAGE = "smoothquant-search";

    private SmoothQuantSearch() {
    }

    /** @param options the options with α fixed; @param notes what was searched and measured, for the report */
    public record Choice(QuantizationOptions options, List<String> notes) {
    }

    /** The options with α resolved: unchanged unless they ask for auto. */
    public static Choice resolve(OnnxModel model, QuantizationOptions options, ProgressListener progress)
            throws QuantizationException {
        if (!options.smoothQuantAuto()) {
            return new Choice(options, List.of());
        }
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        SensitivityRequest request = SensitivityRequest.measure(SensitivityRequest.DEFAULT_MAX_SAMPLES);
        double best = Double.NaN;
        double bestError = Double.POSITIVE_INFINITY;
        List<String> measured = new ArrayList<>();
        int samples;
        double unsmoothed;
        try (SensitivityAnalysis analysis = SensitivityAnalysis.open(model, options.withSmoothQuantAlpha(null),
                request)) {
            samples = analysis.samples();
            unsmoothed = analysis.errorWith(o -> o).relativeError();
            listener.progress(STAGE, 0, CANDIDATES.size());
            for (int i = 0; i < CANDIDATES.size(); i++) {
                double alpha = CANDIDATES.get(i);
                double error = analysis.errorWith(o -> o.withSmoothQuantAlpha(alpha)).relativeError();
                measured.add(String.format(Locale.ROOT, "%.2f: %.5f", alpha, error));
                if (error < bestError) {
                    bestError = error;
                    best = alpha;
                }
                listener.progress(STAGE, i + 1, CANDIDATES.size());
            }
        }
        String errors = String.format(Locale.ROOT, "relative output error vs FP32 on the first %d calibration samples:"
                + " %s; without SmoothQuant %.5f", samples, String.join(", ", measured), unsmoothed);
        if (Double.isNaN(best) || !(bestError < unsmoothed)) {
            return new Choice(options.withSmoothQuantAlpha(null), List.of("SmoothQuant alpha auto: left off, no alpha"
                    + " beat static quantization without it (" + errors + ")"));
        }
        String note = String.format(Locale.ROOT, "SmoothQuant alpha auto: chose %.2f, the least %s", best, errors);
        return new Choice(options.withSmoothQuantAlpha(best), List.of(note));
    }
}
