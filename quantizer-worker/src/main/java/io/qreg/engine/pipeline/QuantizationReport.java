package io.qreg.engine.pipeline;

import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.PrecisionMix;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.VerificationCheck;
import io.qreg.engine.sensitivity.BudgetOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one quantization run produced, for the CLI summary and {@code --json}.
 *
 * @param bytesBefore the input model on disk, external data included
 * @param bytesAfter the output model on disk, external data included
 * @param accuracyBudget what the accuracy-budget loop did, or null when no budget was set
 * @param precisionMix the precision the written model's layers are actually stored at
 * @param verification the run in ONNX Runtime that proved the written model against the original
 */
public record QuantizationReport(Method method, QuantizationOptions options, long bytesBefore, long bytesAfter,
        List<LayerReport> layers, List<String> notes, long elapsedMillis, String onnxRuntimeVersion,
        BudgetOutcome accuracyBudget, PrecisionMix precisionMix, VerificationCheck verification) {

    public QuantizationReport {
        layers = List.copyOf(layers);
        notes = List.copyOf(notes);
        Objects.requireNonNull(precisionMix, "precisionMix");
        Objects.requireNonNull(verification, "verification");
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
        // Only what the method honours (MethodOptions): a qat import has no perChannel to report.
        Map<String, Object> m = new LinkedHashMap<>();
        if (MethodOptions.applies(method, MethodOptions.Option.PER_CHANNEL)) {
            m.put("perChannel", options.perChannel());
        }
        if (MethodOptions.applies(method, MethodOptions.Option.SYMMETRIC)) {
            m.put("symmetric", options.symmetric());
        }
        if (MethodOptions.applies(method, MethodOptions.Option.BLOCK_SIZE)) {
            m.put("blockSize", options.blockSize());
        }
        if (MethodOptions.applies(method, MethodOptions.Option.SMOOTH_QUANT) && options.smoothQuantAlpha() != null) {
            m.put("smoothQuantAlpha", options.smoothQuantAuto() ? "auto" : options.smoothQuantAlpha());
        }
        if (options.targetBitsPerWeight() != null) {
            m.put("targetBitsPerWeight", options.targetBitsPerWeight());
        }
        if (MethodOptions.applies(method, MethodOptions.Option.ALGORITHM)) {
            m.put("algorithm", options.algorithm().wireName());
            if (options.algorithm() == io.qreg.engine.quant.weightonly.Algorithm.GPTQ) {
                m.put("gptqDamp", options.gptqDamp());
                m.put("actOrder", options.actOrder());
            }
        }
        if (MethodOptions.applies(method, MethodOptions.Option.EXCLUDE_NODES)) {
            m.put("excludeNodes", options.excludeNodes().stream().sorted().toList());
            m.put("excludeOpTypes", options.excludeOpTypes().stream().sorted().toList());
        }
        return m;
    }

    /** Plain maps, lists, strings and numbers, ready for any JSON writer. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.wireName());
        m.put("options", optionsSummary());
        m.put("bytesBefore", bytesBefore);
        m.put("bytesAfter", bytesAfter);
        m.put("sizeRatio", sizeRatio());
        m.put("quantized", count(LayerReport.Status.QUANTIZED));
        m.put("kept", keptCount());
        m.put("precisionMix", precisionMix.toMap());
        m.put("floatParameterShare", Math.round(precisionMix.floatParameterShare(method) * 10_000) / 10_000.0);
        m.put("layers", layers.stream().map(QuantizationReport::layerMap).toList());
        m.put("notes", notes);
        if (accuracyBudget != null) {
            m.put("accuracyBudget", accuracyBudget.budget());
            m.put("initialRelativeError", accuracyBudget.initialRelativeError());
            m.put("finalRelativeError", accuracyBudget.finalRelativeError());
            m.put("accuracyBudgetReached", accuracyBudget.reached());
            m.put("keptFloatForBudget", accuracyBudget.keptFloat());
        }
        m.put("elapsedMs", elapsedMillis);
        m.put("onnxRuntimeVersion", onnxRuntimeVersion);
        m.put("verification", verification.toMap());
        return m;
    }

    private static Map<String, Object> layerMap(LayerReport l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("node", l.node());
        m.put("opType", l.opType());
        m.put("status", l.status().name());
        m.put("detail", l.detail());
        m.put("weightBytesBefore", l.weightBytesBefore());
        m.put("weightBytesAfter", l.weightBytesAfter());
        if (l.sensitivitySqnrDb() != null) {
            m.put("sensitivitySqnrDb", l.sensitivitySqnrDb());
        }
        return m;
    }
}
