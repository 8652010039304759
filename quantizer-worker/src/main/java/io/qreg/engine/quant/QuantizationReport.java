package io.qreg.engine.quant;

import io.qreg.engine.sensitivity.BudgetOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one quantization run produced, for the CLI summary and {@code --json}.
 *
 * @param bytesBefore the input model on disk, external data included
 * @param bytesAfter the output model on disk, external data included
 * @param accuracyBudget what the accuracy-budget loop did, or null when no budget was set
 */
public record QuantizationReport(Method method, QuantizationOptions options, long bytesBefore, long bytesAfter,
        List<LayerReport> layers, List<String> notes, long elapsedMillis, String onnxRuntimeVersion,
        BudgetOutcome accuracyBudget) {

    public QuantizationReport {
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
    }

    /** A run without an accuracy budget. */
    public QuantizationReport(Method method, QuantizationOptions options, long bytesBefore, long bytesAfter,
            List<LayerReport> layers, List<String> notes, long elapsedMillis, String onnxRuntimeVersion) {
        this(method, options, bytesBefore, bytesAfter, layers, notes, elapsedMillis, onnxRuntimeVersion, null);
    }

    public long count(LayerReport.Status status) {
        return layers.stream().filter(l -> l.status() == status).count();
    }

    /** Layers not quantized, whatever the reason (excluded, kept in float, unsupported). */
    public long keptCount() {
        return layers.size() - count(LayerReport.Status.QUANTIZED);
    }

    /** Output size as a fraction of the input size. */
    public double sizeRatio() {
        return bytesBefore == 0 ? 0 : (double) bytesAfter / bytesBefore;
    }

    /** The options that shape the output, in CLI terms. */
    public Map<String, Object> optionsSummary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("per_channel", options.perChannel());
        m.put("symmetric", options.symmetric());
        if (method == Method.INT4_WEIGHT || method == Method.INT8_WEIGHT) {
            m.put("block_size", options.blockSize());
        }
        m.put("exclude_nodes", options.excludeNodes().stream().sorted().toList());
        m.put("exclude_op_types", options.excludeOpTypes().stream().sorted().toList());
        return m;
    }

    /** Plain maps, lists, strings and numbers, ready for any JSON writer. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.wireName());
        m.put("options", optionsSummary());
        m.put("bytes_before", bytesBefore);
        m.put("bytes_after", bytesAfter);
        m.put("size_ratio", sizeRatio());
        m.put("quantized", count(LayerReport.Status.QUANTIZED));
        m.put("kept", keptCount());
        m.put("layers", layers.stream().map(QuantizationReport::layerMap).toList());
        m.put("notes", notes);
        if (accuracyBudget != null) {
            m.put("accuracy_budget", accuracyBudget.budget());
            m.put("initial_relative_error", accuracyBudget.initialRelativeError());
            m.put("final_relative_error", accuracyBudget.finalRelativeError());
            m.put("accuracy_budget_reached", accuracyBudget.reached());
            m.put("kept_float_for_budget", accuracyBudget.keptFloat());
        }
        m.put("elapsed_ms", elapsedMillis);
        m.put("onnxruntime_version", onnxRuntimeVersion);
        return m;
    }

    private static Map<String, Object> layerMap(LayerReport l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", l.node());
        m.put("op_type", l.opType());
        m.put("status", l.status().name());
        m.put("detail", l.detail());
        m.put("weight_bytes_before", l.weightBytesBefore());
        m.put("weight_bytes_after", l.weightBytesAfter());
        if (l.sensitivitySqnrDb() != null) {
            m.put("sensitivity_sqnr_db", l.sensitivitySqnrDb());
        }
        return m;
    }
}
