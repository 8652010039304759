package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code result} part of the result call (docs/worker-protocol.md, "Result"): who reports which attempt, how it
 * ended, and, for a succeeded attempt, what it made ({@link JobProduct}).
 */
public record AttemptResult(String workerId, int attempt, ResultStatus status, String error, boolean retryable,
        JobProduct product) {

    public AttemptResult {
        product = product == null ? JobProduct.NONE : product;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("workerId", workerId);
        json.put("attempt", attempt);
        json.put("status", status.name());
        json.put("error", error);
        json.put("retryable", retryable);
        json.putAll(product.toJson());
        return json;
    }

    /**
     * Reads a result; {@code error} may be absent or null, {@code retryable} absent means false.
     *
     * @throws ProtocolException naming the member ({@link ProtocolException#field()})
     */
    public static AttemptResult fromJson(Map<String, Object> json) {
        if (!(json.get("workerId") instanceof String workerId) || workerId.isEmpty()) {
            throw new ProtocolException("workerId", "workerId is required: the id the registration returned");
        }
        if (!(json.get("attempt") instanceof Number attempt)) {
            throw new ProtocolException("attempt", "attempt is required (the attempt number the claim returned)");
        }
        ResultStatus status = status(json.get("status"));
        String error = ProtocolException.member("error", () -> Json.string(json, "error"));
        Boolean retryable = ProtocolException.member("retryable", () -> Json.bool(json, "retryable"));
        return new AttemptResult(workerId, attempt.intValue(), status, error, Boolean.TRUE.equals(retryable),
                JobProduct.fromJson(json));
    }

    private static ResultStatus status(Object value) {
        for (ResultStatus s : ResultStatus.values()) {
            if (s.name().equals(value)) {
                return s;
            }
        }
        throw new ProtocolException("status", "status must be one of " + Arrays.toString(ResultStatus.values())
                + ", got '" + (value instanceof String s ? s : "") + "'");
    }
}
