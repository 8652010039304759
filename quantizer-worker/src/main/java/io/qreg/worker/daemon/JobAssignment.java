package io.qreg.worker.daemon;

import io.qreg.worker.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One claimed job as the registry sent it (see docs/worker-protocol.md, "Claim"): the typed header fields plus
 * the raw JSON object for the type-specific parts ({@code checkpoint}, {@code recipe}, {@code variant}, ...).
 */
public record JobAssignment(String id, String type, int attempt, Map<String, Object> json) {

    public JobAssignment {
        json = Map.copyOf(nullSafe(json));
    }

    static JobAssignment fromJson(Map<String, Object> json) {
        String id = Json.requiredString(json, "id");
        String type = Json.requiredString(json, "type");
        Number attempt = Json.number(json, "attempt");
        return new JobAssignment(id, type, attempt == null ? 1 : attempt.intValue(), json);
    }

    /** A nested object such as {@code checkpoint}, or null when absent or JSON null. */
    public Map<String, Object> part(String name) {
        return Json.object(json, name);
    }

    public String string(String name) {
        return Json.string(json, name);
    }

    private static Map<String, Object> nullSafe(Map<String, Object> json) {
        // Map.copyOf rejects null values, which JSON has ("calibrationDataset": null): drop them.
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>();
        json.forEach((k, v) -> {
            if (v != null) {
                copy.put(k, v);
            }
        });
        return copy;
    }

    @Override
    public String toString() {
        return type + " job " + id + " (attempt " + attempt + ")";
    }
}
