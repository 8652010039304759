package io.qreg.registry.rollout;

/**
 * {@code POST /api/v1/rollouts/{id}/health}: what the serving side measured on the canary since
 * its last report. {@code requests} is how many requests the figures stand for (left out: one);
 * the reports of an analysis interval are combined weighted by it.
 */
public record HealthReport(Double errorRate, Double p99LatencyMs, Double qualityProxy, Long requests) {
}
