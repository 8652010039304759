package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes sure no weight-bearing layer is left in float in silence: every layer of the written graph whose
 * weights are still float (see {@link PrecisionMix#floatParameterShare}) and that no pass reported gets a
 * row saying why. Passes only report the op types they handle, so an LSTM under every method but
 * int8-dynamic, or a GRU under all of them, would otherwise vanish from the report while holding most of
 * the model's weights. Run once, by {@link io.qreg.engine.pipeline.Quantizer}, after whichever pass the method uses.
 */
public final class FloatLayerReports {

    private FloatLayerReports() {
    }

    /**
     * The passes' reports followed by one row per float layer they did not mention: UNSUPPORTED when the
     * method has no rewrite for the op type, KEPT_FLOAT when it has one but left this node alone unreported.
     */
    public static List<LayerReport> complete(Method method, List<WrittenLayer> written, List<LayerReport> reports)
            throws QuantizationException {
        Set<String> reported = new HashSet<>();
        reports.forEach(r -> reported.add(r.node()));
        Set<String> covered = coveredWeightOps(method);
        List<LayerReport> all = new ArrayList<>(reports);
        for (WrittenLayer layer : written) {
            if (reported.contains(layer.node()) || !layer.precision().keptInFloatBy(method)) {
                continue;
            }
            String weights = String.format(Locale.ROOT, "this %s's %d weights stay %s", layer.opType(),
                    layer.parameters(), layer.precision() == WeightPrecision.FP16 ? "float16" : "float32");
            if (covered != null && !covered.contains(layer.opType())) {
                all.add(LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.UNSUPPORTED,
                        method.wireName() + " rewrites only " + list(covered) + " layers; " + weights));
            } else {
                all.add(LayerReport.kept(layer.node(), layer.opType(), LayerReport.Status.KEPT_FLOAT,
                        method.wireName() + " did not rewrite it; " + weights));
            }
        }
        return all;
    }

    /**
     * The weight-bearing op types the method's pass rewrites (its coverage says quantized or float16), or null when
     * the pass does not say.
     */
    private static Set<String> coveredWeightOps(Method method) throws QuantizationException {
        Map<String, Coverage> coverage = Passes.forMethod(method).coverage();
        if (coverage.isEmpty()) {
            return null;
        }
        Set<String> covered = new TreeSet<>();
        coverage.forEach((op, what) -> {
            if (what == Coverage.QUANTIZED || what == Coverage.FLOAT16) {
                covered.add(op);
            }
        });
        covered.retainAll(WrittenLayers.weightOpTypes());
        return covered;
    }

    /** {@code Conv, Gemm and MatMul}. */
    private static String list(Set<String> ops) {
        List<String> names = List.copyOf(ops);
        if (names.size() <= 1) {
            return String.join("", names);
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + " and " + names.get(names.size() - 1);
    }
}
