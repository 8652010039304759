package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.Passes;
import io.qreg.engine.quant.PrecisionMix;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.WeightPrecision;
import io.qreg.engine.quant.WrittenLayer;
import io.qreg.engine.quant.WrittenLayers;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * int4-weight to a bits-per-weight target: each MatMul/Gemm layer is written in one of the {@link LayerFormat}s (int4
 * at the requested block size or coarser, int8, or float), choosing the mix that minimises the estimated output
 * error within the budget. Every int4 and int8 layer uses the options' algorithm and symmetry.
 *
 * <p>The estimate adds the layers' error powers: a layer's Σ(ref−out)² over the outputs when only it is quantized
 * in that format (its SQNR turned back into noise: {@code 10^(−SQNR/10) · output power}), float adding none.
 * The bits are the ones {@link PrecisionMix} counts on the written graph: codes, float32 scales and packed zero
 * points per layer, everything the method writes outside these layers (embeddings) as it is. The choice is solved
 * by {@link BitBudgetKnapsack}, and the written model's own mix is checked against the target before it is kept.
 */
final class MixedPrecision {

    static final String FLAG = "--target-bits-per-weight";
    private static final String FIELD = "targetBitsPerWeight";
    /** The knapsack's finest resolution: the spare budget above the cheapest mix in at most this many units. */
    private static final long UNITS = 100_000;

    private MixedPrecision() {
    }

    /** Refuses a target the options cannot honour, before anything is measured. */
    static void check(QuantizationOptions options) throws QuantizationException {
        double target = options.targetBitsPerWeight();
        if (options.method() != Method.INT4_WEIGHT) {
            throw new QuantizationException(FLAG + " applies only to int4-weight (it mixes int4, int8 and float"
                    + " layers), not to " + options.method().wireName());
        }
        if (!(target > 0) || Double.isInfinite(target)) {
            throw new QuantizationException(FLAG + " is a number of bits per weight above 0, e.g. 5.5; got " + target);
        }
        if (options.accuracyBudget() != null) {
            throw new QuantizationException(FLAG + " and --accuracy-budget both decide which layers stay in float;"
                    + " give one of them");
        }
        Optional<String> algorithm = MethodOptions.targetRefusal(options.algorithm(), options.symmetric(),
                MethodOptions.Surface.CLI);
        if (algorithm.isPresent()) {
            throw new QuantizationException(algorithm.get());
        }
    }

    /** Bits per layer in each format, and everything else the written model's weights take. */
    private record Costs(Map<String, Map<LayerFormat, Long>> bits, long fixedBits, long parameters) {

        double bitsPerWeight(Map<String, LayerFormat> mix) {
            long total = fixedBits;
            for (Map.Entry<String, LayerFormat> e : mix.entrySet()) {
                total += bits.get(e.getKey()).get(e.getValue());
            }
            return (double) total / parameters;
        }
    }

    static SensitiveQuantization.Result quantize(OnnxModel model, QuantizationOptions options,
            SensitivityAnalysis analysis, SensitivityAnalysis.Baseline baseline, ProgressListener progress)
            throws QuantizationException {
        double target = options.targetBitsPerWeight();
        List<LayerReport> linear = baseline.candidates().stream()
                .filter(l -> l.opType().equals("MatMul") || l.opType().equals("Gemm")).toList();
        List<LayerFormat> formats = LayerFormat.candidates(options.blockSize());
        Costs costs = costs(model.graph(), options, analysis, linear, formats);
        Map<String, LayerFormat> allInt4 = everywhere(linear, formats.get(0));
        Map<String, LayerFormat> cheapest = new LinkedHashMap<>();
        linear.forEach(l -> cheapest.put(l.node(), formats.stream().min(Comparator.comparingLong(
                f -> costs.bits().get(l.node()).get(f))).orElseThrow()));
        double floor = costs.bitsPerWeight(cheapest);
        if (target < floor) {
            throw new QuantizationException(String.format(Locale.ROOT, "%s (recipe field %s) %s is below what the"
                    + " cheapest mix takes on this model (every layer at int4 with its cheapest block, %d to %d):"
                    + " %.3f bits/weight counting scales and zero points; ask for at least that", FLAG, FIELD, target,
                    options.blockSize(), formats.stream().filter(f -> f.precision() == WeightPrecision.INT4)
                            .mapToInt(LayerFormat::blockSize).max().orElseThrow(), floor));
        }
        Map<LayerFormat, List<LayerSensitivity>> measured = new LinkedHashMap<>();
        for (LayerFormat format : formats) {
            if (format.quantized()) {
                measured.put(format, analysis.layers(linear, format::options, progress));
            }
        }
        Map<LayerFormat, Map<String, Double>> noise = new LinkedHashMap<>();
        measured.forEach((format, layers) -> noise.put(format, noise(layers)));
        Plan plan = choose(linear, costs, formats, noise, target);
        Map<String, LayerFormat> chosen = plan.chosen();
        List<String> notes = new ArrayList<>();
        List<LayerReport> layers = apply(model, options, formats.get(0), chosen, progress, notes);
        PrecisionMix written = PrecisionMix.of(WrittenLayers.of(model.graph()));
        if (written.bitsPerWeight() > target) {
            throw new QuantizationException(String.format(Locale.ROOT, "the mixed-precision model takes %.4f"
                    + " bits/weight, above the %s %s it was planned for; this is a bug in the engine's bit count",
                    written.bitsPerWeight(), FLAG, target));
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        formats.forEach(f -> counts.put(f.toString(), chosen.values().stream().filter(f::equals).count()));
        counts.values().removeIf(c -> c == 0);
        OutputError error = analysis.error(model.toProto());
        notes.add(String.format(Locale.ROOT, "mixed precision to at most %s bits/weight (scales and zero points"
                + " included): %.3f achieved, %.3f with int4 block %d everywhere; chose %s of %d MatMul/Gemm layers"
                + " (algorithm %s); estimated output error power (sum of the layers' alone-errors) %.4g vs %.4g for"
                + " int4 everywhere; SQNR of the written model on the first %d calibration samples %.2f dB (int4"
                + " everywhere %.2f dB); solved as a knapsack over layers by dynamic programming over the bit budget"
                + " in units of %d bits (%s)", target, written.bitsPerWeight(), costs.bitsPerWeight(allInt4),
                options.blockSize(), counts, linear.size(), options.algorithm().wireName(), error(chosen, noise),
                error(allInt4, noise), analysis.samples(), error.reportableSqnrDb(),
                baseline.error().reportableSqnrDb(), plan.unit(), plan.exact() ? "exact: every layer's bits are whole"
                        + " units" : "each layer's bits rounded up to whole units: always within the target, optimal"
                        + " for a target smaller by one unit per layer"));
        return new SensitiveQuantization.Result(
                SensitiveQuantization.annotate(layers, measured.get(formats.get(0)), null), notes, null);
    }

    private static Map<String, LayerFormat> everywhere(List<LayerReport> linear, LayerFormat format) {
        Map<String, LayerFormat> mix = new LinkedHashMap<>();
        linear.forEach(l -> mix.put(l.node(), format));
        return mix;
    }

    /** Each candidate's bits in each format from the MatMulNBits layout, at float as the graph stores it now. */
    private static Costs costs(ModelGraph graph, QuantizationOptions options, SensitivityAnalysis analysis,
            List<LayerReport> linear, List<LayerFormat> formats) throws QuantizationException {
        Set<String> names = new HashSet<>();
        linear.forEach(l -> names.add(l.node()));
        Set<String> excluded = new HashSet<>(options.excludeNodes());
        excluded.addAll(names);
        // The method with every candidate left float: what the rest (embeddings) takes, and the float bits.
        QuantizationContext rest = analysis.quantizedWith(options.withExcludeNodes(excluded));
        List<WrittenLayer> written = WrittenLayers.of(rest.model().graph());
        long fixed = 0;
        Map<String, Long> floatBits = new HashMap<>();
        for (WrittenLayer layer : written) {
            if (names.contains(layer.node())) {
                floatBits.merge(layer.node(), layer.storedBits(), Long::sum);
            } else {
                fixed += layer.storedBits();
            }
        }
        Map<String, Map<LayerFormat, Long>> bits = new HashMap<>();
        for (LayerReport layer : linear) {
            ConstantLinear.Match match = ConstantLinear.match(graph, graph.node(layer.node()).orElseThrow());
            if (!match.matched() || !floatBits.containsKey(layer.node())) {
                throw new QuantizationException("mixed precision cannot size layer " + layer.node() + ": "
                        + match.reason());
            }
            int k = match.layer().k();
            int n = match.layer().n();
            Map<LayerFormat, Long> byFormat = new HashMap<>();
            for (LayerFormat format : formats) {
                byFormat.put(format, format.quantized() ? blockBits(k, n, format.codeBits(), format.blockSize(),
                        options.symmetric()) : floatBits.get(layer.node()));
            }
            bits.put(layer.node(), byFormat);
        }
        return new Costs(bits, fixed, PrecisionMix.of(written).totalParameters());
    }

    /**
     * MatMulNBits' stored bits for a [K, N] weight: codes padded to whole blocks, one float32 scale per block and
     * column, zero points (asymmetric only) packed per column row into whole bytes.
     */
    static long blockBits(int k, int n, int bits, int blockSize, boolean symmetric) {
        long blocks = (k + blockSize - 1) / blockSize;
        long codes = (long) n * blocks * blockSize * bits;
        long scales = 32L * n * blocks;
        long zeroPoints = symmetric ? 0 : 8L * n * ((blocks * bits + 7) / 8);
        return codes + scales + zeroPoints;
    }

    /** The chosen format per layer, and the DP's unit (exact when every choice's bits are whole units). */
    private record Plan(Map<String, LayerFormat> chosen, long unit, boolean exact) {
    }

    private static Plan choose(List<LayerReport> linear, Costs costs, List<LayerFormat> formats,
            Map<LayerFormat, Map<String, Double>> noise, double target) {
        long cheapestBits = 0;
        List<List<BitBudgetKnapsack.Choice>> options = new ArrayList<>();
        for (LayerReport layer : linear) {
            Map<LayerFormat, Long> bits = costs.bits().get(layer.node());
            long base = formats.stream().mapToLong(bits::get).min().orElseThrow();
            cheapestBits += base;
            List<BitBudgetKnapsack.Choice> choices = new ArrayList<>();
            for (LayerFormat format : formats) {
                double error = format.quantized() ? noise.get(format).getOrDefault(layer.node(), 0.0) : 0.0;
                // Costs above the layer's cheapest format, so the DP's capacity is only the spare budget.
                choices.add(new BitBudgetKnapsack.Choice(bits.get(format) - base, error));
            }
            options.add(choices);
        }
        long budget = (long) Math.floor(target * costs.parameters()) - costs.fixedBits() - cheapestBits;
        long unit = unit(options, budget);
        int[] picked = BitBudgetKnapsack.solve(options, budget, unit);
        Map<String, LayerFormat> chosen = new LinkedHashMap<>();
        for (int i = 0; i < linear.size(); i++) {
            chosen.put(linear.get(i).node(), formats.get(picked[i]));
        }
        boolean exact = options.stream().flatMap(List::stream).allMatch(c -> c.bits() % unit == 0);
        return new Plan(chosen, unit, exact);
    }

    /**
     * The greatest common divisor of every choice's bits, so rounding to units loses nothing (the DP is exact),
     * made a whole multiple coarser only when the spare budget would need more than {@link #UNITS} units.
     */
    static long unit(List<List<BitBudgetKnapsack.Choice>> layers, long budget) {
        long gcd = 0;
        for (List<BitBudgetKnapsack.Choice> choices : layers) {
            for (BitBudgetKnapsack.Choice c : choices) {
                gcd = java.math.BigInteger.valueOf(gcd).gcd(java.math.BigInteger.valueOf(c.bits())).longValue();
            }
        }
        gcd = Math.max(1, gcd);
        long coarser = Math.max(1, (budget + gcd * UNITS - 1) / (gcd * UNITS));
        return gcd * coarser;
    }

    /** A layer whose output broke (NaN/∞) at a precision gets an infinite error there, so the DP avoids it. */
    private static Map<String, Double> noise(List<LayerSensitivity> measured) {
        Map<String, Double> m = new HashMap<>();
        measured.forEach(s -> m.put(s.node(), Double.isNaN(s.error().noise()) ? Double.MAX_VALUE
                : Math.min(Double.MAX_VALUE, s.error().noise())));
        return m;
    }

    private static double error(Map<String, LayerFormat> mix, Map<LayerFormat, Map<String, Double>> noise) {
        double sum = 0;
        for (Map.Entry<String, LayerFormat> e : mix.entrySet()) {
            sum += e.getValue().quantized() ? noise.get(e.getValue()).getOrDefault(e.getKey(), 0.0) : 0.0;
        }
        return sum;
    }

    /**
     * Writes the layers in the options' own format (and the embeddings) with int4-weight, then each other format's
     * layers with its method and block size. A calibrated algorithm (GPTQ, AWQ) captures each group's inputs from
     * the model as the groups before it left it. (Writing the layers one by one in graph order, so that each sees
     * every earlier layer written, measured no better on bytelm_small and took twice the capture runs.)
     */
    private static List<LayerReport> apply(OnnxModel model, QuantizationOptions options, LayerFormat own,
            Map<String, LayerFormat> chosen, ProgressListener progress, List<String> notes)
            throws QuantizationException {
        Map<LayerFormat, Set<String>> groups = new LinkedHashMap<>();
        chosen.forEach((node, format) -> groups.computeIfAbsent(format, f -> new LinkedHashSet<>()).add(node));
        Set<String> notOwn = new HashSet<>(options.excludeNodes());
        chosen.forEach((node, format) -> {
            if (!format.equals(own)) {
                notOwn.add(node);
            }
        });
        QuantizationContext first = new QuantizationContext(model, options.withExcludeNodes(notOwn), progress);
        Passes.forMethod(own.method()).apply(first);
        notes.addAll(first.notes());
        Map<String, LayerReport> others = new HashMap<>();
        for (Map.Entry<LayerFormat, Set<String>> group : groups.entrySet()) {
            LayerFormat format = group.getKey();
            if (format.equals(own) || !format.quantized()) {
                continue;
            }
            QuantizationContext context = new QuantizationContext(model,
                    format.options(options).withOnlyNodes(group.getValue()), progress);
            Passes.forMethod(format.method()).apply(context);
            context.layers().stream().filter(l -> group.getValue().contains(l.node()))
                    .forEach(l -> others.put(l.node(), l));
        }
        List<LayerReport> layers = new ArrayList<>();
        for (LayerReport layer : first.layers()) {
            LayerFormat format = chosen.get(layer.node());
            if (format == null) {
                layers.add(layer);
            } else if (!format.quantized()) {
                layers.add(LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.KEPT_FLOAT,
                        "mixed precision: kept in float to fit the bits-per-weight target at least output error"));
            } else {
                LayerReport written = format.equals(own) ? layer : others.get(layer.node());
                layers.add(new LayerReport(written.node(), written.opType(), written.status(),
                        "mixed precision: " + format + "; " + written.detail(), written.weightBytesBefore(),
                        written.weightBytesAfter(), null));
            }
        }
        return layers;
    }
}
