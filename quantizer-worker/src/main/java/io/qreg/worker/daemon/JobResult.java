package io.qreg.worker.daemon;

import io.qreg.worker.protocol.AttemptResult;
import io.qreg.worker.protocol.JobProduct;
import io.qreg.worker.protocol.ResultStatus;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a worker reports for one attempt (the {@code result} part of the protocol's result call, without
 * {@code workerId} and {@code attempt}, which the daemon adds), and for a succeeded QUANTIZE the artifact file.
 *
 * @param product what a succeeded attempt made (the protocol's {@link JobProduct}); {@link JobProduct#NONE} otherwise
 * @param file    the quantized model (QUANTIZE and SUCCEEDED only), else null
 */
public record JobResult(ResultStatus status, String error, boolean retryable, JobProduct product, Path file) {

    public static JobResult succeeded(JobProduct product, Path file) {
        return new JobResult(ResultStatus.SUCCEEDED, null, false, product, file);
    }

    public static JobResult failed(String error, boolean retryable) {
        return new JobResult(ResultStatus.FAILED, error, retryable, JobProduct.NONE, null);
    }

    public static JobResult cancelled() {
        return new JobResult(ResultStatus.CANCELLED, "cancelled", false, JobProduct.NONE, null);
    }

    /** The JSON object of the {@code result} part: the protocol's {@link AttemptResult}. */
    public Map<String, Object> toJson(String workerId, int attempt) {
        return new AttemptResult(workerId, attempt, status, error, retryable, product).toJson();
    }
}
