package io.qreg.registry.job;

import io.qreg.worker.protocol.ResultStatus;

/**
 * How a worker said an attempt ended, as the registry stores it with the result. The worker's word is the
 * protocol's {@link ResultStatus}, read with the result body; this is its stored form (JobStore keeps it).
 */
enum ReportedStatus {
    SUCCEEDED, FAILED, CANCELLED;

    static ReportedStatus of(ResultStatus status) {
        return switch (status) {
            case SUCCEEDED -> SUCCEEDED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
        };
    }
}
