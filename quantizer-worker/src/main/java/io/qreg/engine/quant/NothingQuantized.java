package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The engine's refusal to write a "quantized" model in which no layer is stored below float32: such a
 * file is the checkpoint under another name, and labelling it with the method would mislead everyone who
 * reads the label. The message counts why each layer stayed float, from the passes' layer reports.
 */
public final class NothingQuantized {

    private NothingQuantized() {
    }

    /**
     * @param keptByBudget the layers the accuracy budget put back to float (empty without a budget)
     * @throws QuantizationException when {@code mix} has no quantized layer
     */
    public static void check(Method method, PrecisionMix mix, List<WrittenLayer> written, List<LayerReport> reports,
            Collection<String> keptByBudget) throws QuantizationException {
        if (mix.quantizedLayers() > 0) {
            return;
        }
        if (written.isEmpty()) {
            throw new QuantizationException("nothing was quantized: the model has no weight-bearing layer (MatMul,"
                    + " Gemm, Conv or Gather over a constant table)");
        }
        Map<String, LayerReport> byNode = new HashMap<>();
        reports.forEach(r -> byNode.putIfAbsent(r.node(), r));
        Map<String, Long> reasons = new LinkedHashMap<>();
        for (WrittenLayer layer : written) {
            reasons.merge(reason(method, layer, byNode.get(layer.node()), keptByBudget), 1L, Long::sum);
        }
        throw new QuantizationException("nothing was quantized: 0 of " + written.size() + " layers: "
                + reasons.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                        .collect(Collectors.joining(", ")));
    }

    private static String reason(Method method, WrittenLayer layer, LayerReport report,
            Collection<String> keptByBudget) {
        if (keptByBudget.contains(layer.node())) {
            return "kept in float by the accuracy budget";
        }
        if (report == null) {
            return "not handled by " + method.wireName() + " (" + layer.opType() + ")";
        }
        return switch (report.status()) {
            case EXCLUDED -> "excluded by the options";
            case UNSUPPORTED -> "unsupported by " + method.wireName() + " (" + layer.opType() + ")";
            case KEPT_FLOAT -> "kept in float by " + method.wireName();
            case QUANTIZED -> "left in float although the pass reported them quantized";
        };
    }
}
