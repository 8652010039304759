package io.qreg.registry.rollout;

/** {@code POST /api/v1/rollouts/{id}/health}: what the serving side measured on the canary. */
public record HealthReport(Double errorRate, Double p99LatencyMs, Double qualityProxy) {
}
