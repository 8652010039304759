package io.qreg.engine.sensitivity;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.Passes;
import io.qreg.engine.quant.PrecisionMix;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.WeightPrecision;
import io.qreg.engine.quant.WrittenLayer;
import io.qreg.engine.quant.WrittenLayers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * int4-weight to a bits-per-weight target: each MatMul/Gemm layer is written as int4 (MatMulNBits 4 bits), int8
 * (MatMulNBits 8 bits, same block size and symmetry) or kept in float, choosing the mix that minimises the
 * estimated output error within the budget.
 *
 * <p>The estimate adds the layers' error powers: a layer's Σ(ref−out)² over the outputs when only it is quantized
 * at that precision (its SQNR turned back into noise: {@code 10^(−SQNR/10) · output power}), float adding none.
 * The bits are the ones {@link PrecisionMix} counts on the written graph: codes, float32 scales and packed zero
 * points per layer, everything the method writes outside these layers (embeddings) as it is. The choice is solved
 * by {@link BitBudgetKnapsack}, and the written model's own mix is checked against the target before it is kept.
 */
final class MixedPrecision {

    static final String FLAG = "--target-bits-per-weight";
    private static final String FIELD = "targetBitsPerWeight";
    /** The knapsack's finest resolution: the spare budget above int4 everywhere in at most this many units. */
    private static final long UNITS = 100_000;
    private static final List<WeightPrecision> CHOICES = List.of(WeightPrecision.INT4, WeightPrecision.INT8,
            WeightPrecision.FP32);

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
    }

    /** Bits per layer at each precision, and everything else the written model's weights take. */
    private record Costs(Map<String, Map<WeightPrecision, Long>> bits, long fixedBits, long parameters) {

        double bitsPerWeight(Map<String, WeightPrecision> mix) {
            long total = fixedBits;
            for (Map.Entry<String, WeightPrecision> e : mix.entrySet()) {
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
        Costs costs = costs(model.graph(), options, analysis, linear);
        Map<String, WeightPrecision> allInt4 = new LinkedHashMap<>();
        linear.forEach(l -> allInt4.put(l.node(), WeightPrecision.INT4));
        double floor = costs.bitsPerWeight(allInt4);
        if (target < floor) {
            throw new QuantizationException(String.format(Locale.ROOT, "%s (recipe field %s) %s is below what int4"
                    + " everywhere takes on this model at block size %d: %.3f bits/weight counting scales and zero"
                    + " points; ask for at least that", FLAG, FIELD, target, options.blockSize(), floor));
        }
        List<LayerSensitivity> int4 = analysis.layers(linear, options, progress);
        List<LayerSensitivity> int8 = analysis.layers(linear, options.withMethod(Method.INT8_WEIGHT), progress);
        Plan plan = choose(linear, costs, int4, int8, target);
        Map<String, WeightPrecision> chosen = plan.chosen();
        List<String> notes = new ArrayList<>();
        List<LayerReport> layers = apply(model, options, chosen, progress, notes);
        PrecisionMix written = PrecisionMix.of(WrittenLayers.of(model.graph()));
        if (written.bitsPerWeight() > target) {
            throw new QuantizationException(String.format(Locale.ROOT, "the mixed-precision model takes %.4f"
                    + " bits/weight, above the %s %s it was planned for; this is a bug in the engine's bit count",
                    written.bitsPerWeight(), FLAG, target));
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        CHOICES.forEach(p -> counts.put(p.wireName(), chosen.values().stream().filter(p::equals).count()));
        double estimate = error(chosen, int4, int8);
        double int4Estimate = error(allInt4, int4, int8);
        OutputError measured = analysis.error(model.toProto());
        notes.add(String.format(Locale.ROOT, "mixed precision to at most %s bits/weight (scales and zero points"
                + " included): %.3f achieved, %.3f with int4 everywhere; chose %s of %d MatMul/Gemm layers;"
                + " estimated output error power (sum of the layers' alone-errors) %.4g vs %.4g for int4 everywhere;"
                + " SQNR of the written model on the first %d calibration samples %.2f dB (int4 everywhere %.2f dB);"
                + " solved as a knapsack over layers by dynamic programming over the bit budget in units of %d bits"
                + " (%s)", target, written.bitsPerWeight(), floor, counts, linear.size(),
                estimate, int4Estimate, analysis.samples(), measured.reportableSqnrDb(),
                baseline.error().reportableSqnrDb(), plan.unit(), plan.exact() ? "exact: every layer's bits are whole"
                        + " units" : "each layer's bits rounded up to whole units: always within the target, optimal"
                        + " for a target smaller by one unit per layer"));
        return new SensitiveQuantization.Result(SensitiveQuantization.annotate(layers, int4, null), notes, null);
    }

    /** Each candidate's bits at int4 and int8 from the MatMulNBits layout, at float as the graph stores it now. */
    private static Costs costs(ModelGraph graph, QuantizationOptions options, SensitivityAnalysis analysis,
            List<LayerReport> linear) throws QuantizationException {
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
        Map<String, Map<WeightPrecision, Long>> bits = new HashMap<>();
        for (LayerReport layer : linear) {
            ConstantLinear.Match match = ConstantLinear.match(graph, graph.node(layer.node()).orElseThrow());
            if (!match.matched() || !floatBits.containsKey(layer.node())) {
                throw new QuantizationException("mixed precision cannot size layer " + layer.node() + ": "
                        + match.reason());
            }
            int k = match.layer().k();
            int n = match.layer().n();
            Map<WeightPrecision, Long> byPrecision = new HashMap<>();
            byPrecision.put(WeightPrecision.INT4, blockBits(k, n, 4, options.blockSize(), options.symmetric()));
            byPrecision.put(WeightPrecision.INT8, blockBits(k, n, 8, options.blockSize(), options.symmetric()));
            byPrecision.put(WeightPrecision.FP32, floatBits.get(layer.node()));
            bits.put(layer.node(), byPrecision);
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

    /** The chosen precision per layer, and the DP's unit (exact when every choice's bits are whole units). */
    private record Plan(Map<String, WeightPrecision> chosen, long unit, boolean exact) {
    }

    private static Plan choose(List<LayerReport> linear, Costs costs,
            List<LayerSensitivity> int4, List<LayerSensitivity> int8, double target) {
        long int4Bits = 0;
        List<List<BitBudgetKnapsack.Choice>> options = new ArrayList<>();
        Map<String, Double> noise4 = noise(int4);
        Map<String, Double> noise8 = noise(int8);
        for (LayerReport layer : linear) {
            Map<WeightPrecision, Long> bits = costs.bits().get(layer.node());
            long base = bits.get(WeightPrecision.INT4);
            int4Bits += base;
            List<BitBudgetKnapsack.Choice> choices = new ArrayList<>();
            for (WeightPrecision p : CHOICES) {
                double error = switch (p) {
                    case INT4 -> noise4.getOrDefault(layer.node(), 0.0);
                    case INT8 -> noise8.getOrDefault(layer.node(), 0.0);
                    default -> 0.0;
                };
                // Costs above int4, so the DP's capacity is only the spare budget.
                choices.add(new BitBudgetKnapsack.Choice(bits.get(p) - base, error));
            }
            options.add(choices);
        }
        long budget = (long) Math.floor(target * costs.parameters()) - costs.fixedBits() - int4Bits;
        long unit = unit(options, budget);
        int[] picked = BitBudgetKnapsack.solve(options, budget, unit);
        Map<String, WeightPrecision> chosen = new LinkedHashMap<>();
        for (int i = 0; i < linear.size(); i++) {
            chosen.put(linear.get(i).node(), CHOICES.get(picked[i]));
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

    private static double error(Map<String, WeightPrecision> mix, List<LayerSensitivity> int4,
            List<LayerSensitivity> int8) {
        Map<String, Double> n4 = noise(int4);
        Map<String, Double> n8 = noise(int8);
        double sum = 0;
        for (Map.Entry<String, WeightPrecision> e : mix.entrySet()) {
            sum += switch (e.getValue()) {
                case INT4 -> n4.getOrDefault(e.getKey(), 0.0);
                case INT8 -> n8.getOrDefault(e.getKey(), 0.0);
                default -> 0.0;
            };
        }
        return sum;
    }

    /** Writes the int4 layers (and embeddings) with int4-weight, then the int8 layers with int8-weight. */
    private static List<LayerReport> apply(OnnxModel model, QuantizationOptions options,
            Map<String, WeightPrecision> chosen, ProgressListener progress, List<String> notes)
            throws QuantizationException {
        Set<String> int8 = new LinkedHashSet<>();
        Set<String> keptFloat = new LinkedHashSet<>();
        chosen.forEach((node, p) -> (p == WeightPrecision.INT8 ? int8 : p == WeightPrecision.FP32 ? keptFloat
                : new HashSet<String>()).add(node));
        Set<String> notInt4 = new HashSet<>(options.excludeNodes());
        notInt4.addAll(int8);
        notInt4.addAll(keptFloat);
        QuantizationContext four = new QuantizationContext(model, options.withExcludeNodes(notInt4), progress);
        Passes.forMethod(Method.INT4_WEIGHT).apply(four);
        notes.addAll(four.notes());
        Map<String, LayerReport> eight = new HashMap<>();
        if (!int8.isEmpty()) {
            QuantizationContext context = new QuantizationContext(model,
                    options.withMethod(Method.INT8_WEIGHT).withOnlyNodes(int8), progress);
            Passes.forMethod(Method.INT8_WEIGHT).apply(context);
            context.layers().stream().filter(l -> int8.contains(l.node())).forEach(l -> eight.put(l.node(), l));
        }
        List<LayerReport> layers = new ArrayList<>();
        for (LayerReport layer : four.layers()) {
            WeightPrecision p = chosen.get(layer.node());
            if (p == null) {
                layers.add(layer);
            } else if (p == WeightPrecision.FP32) {
                layers.add(LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.KEPT_FLOAT,
                        "mixed precision: kept in float to fit the bits-per-weight target at least output error"));
            } else {
                LayerReport written = p == WeightPrecision.INT8 ? eight.get(layer.node()) : layer;
                layers.add(new LayerReport(written.node(), written.opType(), written.status(),
                        "mixed precision: " + p.wireName() + "; " + written.detail(), written.weightBytesBefore(),
                        written.weightBytesAfter(), null));
            }
        }
        return layers;
    }
}
