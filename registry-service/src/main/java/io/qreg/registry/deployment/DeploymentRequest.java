package io.qreg.registry.deployment;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code POST /api/v1/deployments}: what a deployment is made of. {@code metrics} (optional) are the
 * Prometheus queries its canaries are judged by, besides the gateways' health reports.
 */
public record DeploymentRequest(String name, String modelName, String description, List<String> environments,
        List<Tier> tiers, List<CanaryMetric> metrics) {

    /** A tier as requested; {@code headers} left out means {@code x-tier: <name>} for a non-default tier. */
    public record Tier(String name, String precision, Map<String, String> headers, Boolean edge,
            @JsonProperty("default") Boolean isDefault) {
    }
}
