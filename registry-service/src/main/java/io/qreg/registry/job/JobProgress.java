package io.qreg.registry.job;

import java.time.Instant;
import java.util.UUID;

/** The part of a job that changes while it runs: what live progress displays show and compare. */
public record JobProgress(UUID id, String status, double progress, String message, int attempts, String error,
        UUID variantId, boolean cancelRequested, Instant finishedAt) {

    /** Whether the job has ended: nothing about it will change any more. */
    public boolean finished() {
        return "SUCCEEDED".equals(status) || "FAILED".equals(status) || "CANCELLED".equals(status);
    }
}
