package io.qreg.worker.daemon;

import io.qreg.worker.protocol.AttemptResult;
import io.qreg.worker.protocol.ResultStatus;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a worker reports for one attempt (the {@code result} part of the protocol's result call, without
 * {@code workerId} and {@code attempt}, which the daemon adds), and for a succeeded QUANTIZE the artifact file.
 *
 * @param fields type-specific members: {@code report}, {@code evaluation}, {@code benchmark}, {@code engineVersion},
 *               {@code onnxRuntimeVersion}, {@code sha256}, {@code sizeBytes}
 * @param file   the quantized model (QUANTIZE and SUCCEEDED only), else null
 */
public record JobResult(ResultStatus status, String error, boolean retryable, Map<String, Object> fields, Path file) {

    public JobResult {
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public static JobResult succeeded(Map<String, Object> fields, Path file) {
        return new JobResult(ResultStatus.SUCCEEDED, null, false, fields, file);
    }

    public static JobResult failed(String error, boolean retryable) {
        return new JobResult(ResultStatus.FAILED, error, retryable, Map.of(), null);
    }

    public static JobResult cancelled() {
        return new JobResult(ResultStatus.CANCELLED, "cancelled", false, Map.of(), null);
    }

    /** The JSON object of the {@code result} part: the protocol's {@link AttemptResult}. */
    public Map<String, Object> toJson(String workerId, int attempt) {
        return new AttemptResult(workerId, attempt, status, error, retryable, fields).toJson();
    }
}
