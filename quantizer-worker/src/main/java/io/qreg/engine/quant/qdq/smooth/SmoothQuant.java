package io.qreg.engine.quant.qdq.smooth;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.calibration.CalibrationRunner;
import io.qreg.engine.calibration.ChannelAbsMax;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * SmoothQuant (Xiao et al., 2022) for int8-static: activation outliers sit in a few channels, which a per-tensor
 * activation scale must cover, wasting the int8 grid on every other channel. Per input channel j of a linear layer
 * it divides the activation by s_j = max|X_j|^α / max|W_j,:|^(1−α) and multiplies the weight's row j by s_j, so the
 * product is unchanged and the difficulty migrates from the activation into the (per-channel quantizable) weight.
 * α is the migration strength: 0 leaves activations alone, 1 flattens them entirely. The maxima of |X_j| come from a
 * calibration run that keeps one float per channel; the static QDQ pass then calibrates the smoothed graph anew.
 */
public final class SmoothQuant {

    /** Bounds on s: a dead channel (max 0) or a huge ratio must not write 0 or infinity into the graph. */
    static final float MIN_SCALE = 1e-5f;
    static final float MAX_SCALE = 1e5f;

    private SmoothQuant() {
    }

    /**
     * What smoothing did to a graph.
     *
     * @param insertedMuls names of the Mul nodes put before layers whose activation could not take 1/s in its
     *        producer: they stay float, since quantizing X itself before the division would bring back the outliers
     * @param notes sentences for the report
     */
    public record Outcome(Set<String> insertedMuls, List<String> notes) {
    }

    /**
     * Smooths {@code model} in place with {@code alpha}, measuring the activations on {@code data}. With
     * {@link QuantizationOptions#SMOOTH_QUANT_AUTO} (NaN) each group gets its own α from {@link GroupAlphaSearch}, or
     * is left alone when no α lowers its quantized output error.
     *
     * @param rounding how the static pass will round weights and activations, which auto simulates
     * @throws QuantizationException if α is neither auto nor a number from 0 to 1, or the calibration run fails
     */
    public static Outcome apply(OnnxModel model, CalibrationData data, QuantizationOptions options, double alpha,
            StaticRounding rounding, int batchSize, ProgressListener progress) throws QuantizationException {
        boolean auto = Double.isNaN(alpha);
        if (!auto && !(alpha >= 0 && alpha <= 1)) {
            throw new QuantizationException("the SmoothQuant alpha must be a number from 0 to 1 or auto, got "
                    + alpha);
        }
        ModelGraph graph = model.graph();
        List<SmoothGroup> groups = SmoothGroup.find(graph, options);
        if (groups.isEmpty()) {
            return new Outcome(Set.of(), List.of("SmoothQuant found no MatMul or Gemm with a constant weight to smooth"));
        }
        Map<String, ChannelAbsMax> maxima = new LinkedHashMap<>();
        Map<String, ActivationSample> samples = new LinkedHashMap<>();
        for (SmoothGroup g : groups) {
            if (auto) {
                samples.put(g.activation(), new ActivationSample(g.channels()));
            } else {
                maxima.put(g.activation(), new ChannelAbsMax(g.channels()));
            }
        }
        new CalibrationRunner(batchSize, progress).run(model, data, auto ? samples : maxima);

        Set<String> muls = new LinkedHashSet<>();
        List<String> notes = new ArrayList<>();
        int layers = 0;
        int smoothedGroups = 0;
        int intoNorm = 0;
        int intoLinear = 0;
        for (SmoothGroup group : groups) {
            float[] scales;
            if (auto) {
                SmoothingFold.Kind kind = SmoothingFold.kind(graph, group);
                GroupAlphaSearch.Choice choice = GroupAlphaSearch.choose(graph, group, samples.get(group.activation()),
                        rounding.perChannelWeights(),
                        kind == SmoothingFold.Kind.MUL && rounding.roundedAtProducer().test(group.activation()));
                notes.add(describe(group, kind, choice));
                scales = choice.scales();
            } else {
                scales = scales(maxima.get(group.activation()).maxima(), weightMaxima(graph, group), alpha);
            }
            if (scales == null) {
                continue;
            }
            SmoothingFold.Result result = SmoothingFold.apply(graph, group, scales);
            switch (result.kind()) {
                case MUL -> muls.add(result.mulNode());
                case LAYER_NORMALIZATION -> intoNorm++;
                case PRECEDING_LINEAR -> intoLinear++;
            }
            layers += group.linears().size();
            smoothedGroups++;
        }
        String note = String.format(Locale.ROOT, "SmoothQuant alpha %s smoothed %d MatMul/Gemm layers reading %d"
                + " activations: %d divided in their LayerNormalization, %d in the MatMul/Gemm producing them, %d"
                + " through an inserted Mul", auto ? "auto" : String.format(Locale.ROOT, "%.2f", alpha), layers,
                smoothedGroups, intoNorm, intoLinear, muls.size());
        if (auto) {
            note += String.format(Locale.ROOT, "; %d of %d activations left unsmoothed, where no alpha lowered the"
                    + " quantized output error", groups.size() - smoothedGroups, groups.size());
        }
        notes.add(0, note);
        return new Outcome(Set.copyOf(muls), List.copyOf(notes));
    }

    /** The report's line for one group searched by auto. */
    private static String describe(SmoothGroup group, SmoothingFold.Kind kind, GroupAlphaSearch.Choice choice) {
        String layers = group.linears().stream().map(NodeProto::getName).collect(Collectors.joining(", "));
        String where = switch (kind) {
            case LAYER_NORMALIZATION -> "its LayerNormalization";
            case PRECEDING_LINEAR -> "the MatMul/Gemm producing it";
            case MUL -> "an inserted Mul";
        };
        return choice.smooths()
                ? String.format(Locale.ROOT, "SmoothQuant auto: %s (read by %s) alpha %.2f through %s, relative"
                        + " output error of its layers %.3g without, %.3g with", group.activation(), layers,
                        choice.alpha(), where, choice.errorOff(), choice.error())
                : String.format(Locale.ROOT, "SmoothQuant auto: %s (read by %s) left unsmoothed, relative output"
                        + " error of its layers %.3g, no alpha from 0.30 to 0.80 through %s lowered it",
                        group.activation(), layers, choice.errorOff(), where);
    }

    /**
     * s_j = max|X_j|^α / max|W_j|^(1−α), clamped to [{@link #MIN_SCALE}, {@link #MAX_SCALE}]; 1 where either maximum
     * is 0 (a channel that is always 0 has nothing to balance).
     */
    public static float[] scales(float[] activationMax, float[] weightMax, double alpha) {
        if (activationMax.length != weightMax.length) {
            throw new IllegalArgumentException(activationMax.length + " activation channels against "
                    + weightMax.length + " weight rows");
        }
        float[] s = new float[activationMax.length];
        for (int j = 0; j < s.length; j++) {
            if (!(activationMax[j] > 0) || !(weightMax[j] > 0)) {
                s[j] = 1f;
                continue;
            }
            double value = Math.pow(activationMax[j], alpha) / Math.pow(weightMax[j], 1 - alpha);
            s[j] = (float) Math.max(MIN_SCALE, Math.min(MAX_SCALE, value));
        }
        return s;
    }

    /** max_n |W_j,n| per input channel j, over every weight of the group. */
    static float[] weightMaxima(ModelGraph graph, SmoothGroup group) {
        float[] max = new float[group.channels()];
        for (NodeProto linear : group.linears()) {
            var weight = graph.initializer(linear.getInput(1)).orElseThrow();
            float[] w = Tensors.toFloats(weight);
            int cols = Math.toIntExact(Tensors.dims(weight)[1]);
            boolean transposed = SmoothGroup.transposedWeight(linear);
            for (int i = 0; i < w.length; i++) {
                int j = transposed ? i % cols : i / cols;
                max[j] = Math.max(max[j], Math.abs(w[i]));
            }
        }
        return max;
    }
}
