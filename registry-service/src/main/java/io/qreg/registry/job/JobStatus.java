package io.qreg.registry.job;

/** {@code QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED}; a RUNNING job may return to QUEUED for a retry. */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}
