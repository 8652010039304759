package io.qreg.registry.rollout;

import java.util.List;
import java.util.UUID;

/**
 * {@code POST /api/v1/rollouts/health}: one gateway's reports on many canaries in one request, as a
 * gateway serving many tiers sends them once per interval. Each entry is what
 * {@code POST /api/v1/rollouts/{id}/health} takes, plus the rollout it is about.
 */
public record HealthBatch(List<Entry> reports) {

    /** The most entries one request may carry. */
    static final int MAX_REPORTS = 5_000;

    public record Entry(UUID rolloutId, Double errorRate, Double p99LatencyMs, Double qualityProxy, Long requests) {

        HealthReport report() {
            return new HealthReport(errorRate, p99LatencyMs, qualityProxy, requests);
        }
    }

    /**
     * What became of each entry, in the request's order: {@code 201} stored, {@code 404} no such
     * rollout, {@code 409} the rollout is not active (or moved while the batch was stored: send that
     * entry again).
     */
    public record Result(int stored, List<Outcome> results) {
    }

    public record Outcome(UUID rolloutId, int status, String detail) {
    }
}
