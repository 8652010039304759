package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import io.qreg.worker.json.RecordJson;
import java.util.Map;
import java.util.Optional;

/**
 * What a succeeded attempt reports beside the result's header (docs/worker-protocol.md, "Result"): the product of
 * its job type (a QUANTIZE's {@code report} with the artifact's {@code sha256} and {@code sizeBytes}, an EVALUATE's
 * {@code evaluation}, a BENCHMARK's {@code benchmark}) and the {@code engineVersion} and {@code onnxRuntimeVersion}
 * that made it. The worker writes it and the registry reads it; the three maps are the engine's own JSON, stored
 * as sent. A failed or cancelled attempt reports {@link #NONE}.
 */
public record JobProduct(Map<String, Object> report, Map<String, Object> evaluation, Map<String, Object> benchmark,
        String engineVersion, String onnxRuntimeVersion, String sha256, Long sizeBytes) {

    public static final JobProduct NONE = new JobProduct(null, null, null, null, null, null, null);

    public static JobProduct quantized(Map<String, Object> report, String engineVersion, String onnxRuntimeVersion,
            String sha256, long sizeBytes) {
        return new JobProduct(report, null, null, engineVersion, onnxRuntimeVersion, sha256, sizeBytes);
    }

    public static JobProduct evaluated(Map<String, Object> evaluation, String engineVersion,
            String onnxRuntimeVersion) {
        return new JobProduct(null, evaluation, null, engineVersion, onnxRuntimeVersion, null, null);
    }

    public static JobProduct benchmarked(Map<String, Object> benchmark, String engineVersion,
            String onnxRuntimeVersion) {
        return new JobProduct(null, null, benchmark, engineVersion, onnxRuntimeVersion, null, null);
    }

    /** The members that are set, in the order workers have always sent them. */
    public Map<String, Object> toJson() {
        return RecordJson.setMembers(this);
    }

    /**
     * Reads the product from the result's members; each may be absent.
     *
     * @throws ProtocolException naming a member of the wrong type
     */
    public static JobProduct fromJson(Map<String, Object> json) {
        return new JobProduct(ProtocolException.member("report", () -> Json.object(json, "report")),
                ProtocolException.member("evaluation", () -> Json.object(json, "evaluation")),
                ProtocolException.member("benchmark", () -> Json.object(json, "benchmark")),
                ProtocolException.member("engineVersion", () -> Json.string(json, "engineVersion")),
                ProtocolException.member("onnxRuntimeVersion", () -> Json.string(json, "onnxRuntimeVersion")),
                ProtocolException.member("sha256", () -> Json.string(json, "sha256")),
                ProtocolException.member("sizeBytes", () -> {
                    Number size = Json.number(json, "sizeBytes");
                    return size == null ? null : size.longValue();
                }));
    }

    /** The report's {@code precisionMix.quantizedLayers}, when the report has one (workers before it did not). */
    public Optional<Long> quantizedLayers() {
        return count(precisionMix(), "quantizedLayers");
    }

    /** The report's {@code precisionMix.layers.total}. */
    public Optional<Long> totalLayers() {
        return count(precisionMix().get("layers") instanceof Map<?, ?> layers ? layers : Map.of(), "total");
    }

    private Map<?, ?> precisionMix() {
        return report != null && report.get("precisionMix") instanceof Map<?, ?> mix ? mix : Map.of();
    }

    private static Optional<Long> count(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? Optional.of(n.longValue()) : Optional.empty();
    }
}
