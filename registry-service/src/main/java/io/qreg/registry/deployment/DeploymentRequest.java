package io.qreg.registry.deployment;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.qreg.registry.fallback.OperatingPoint;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/deployments}: what a deployment is made of. {@code metrics} (optional) are the
 * Prometheus queries its canaries are judged by, besides the gateways' health reports.
 */
public record DeploymentRequest(String name, String modelName, String description, List<Environment> environments,
        List<Tier> tiers, List<CanaryMetric> metrics) {

    /**
     * A tier as requested; {@code headers} left out means {@code x-tier: <name>} for a non-default tier.
     * {@code fallback} (optional): the operating point of its low-confidence fallback ({@link OperatingPoint}).
     */
    public record Tier(String name, String precision, Map<String, String> headers, Boolean edge,
            @JsonProperty("default") Boolean isDefault, JsonNode fallback) {

        /** A tier without its own fallback operating point. */
        public Tier(String name, String precision, Map<String, String> headers, Boolean edge, Boolean isDefault) {
            this(name, precision, headers, edge, isDefault, null);
        }
    }

    /**
     * An environment as requested: a plain name (approval required), or {@code {"name": "dev",
     * "approvalRequired": false}} for a sandbox whose rollouts need no approval and are audited as unapproved.
     */
    public record Environment(String name, Boolean approvalRequired) {

        @JsonCreator
        public Environment(@JsonProperty("name") String name,
                @JsonProperty("approvalRequired") Boolean approvalRequired) {
            this.name = name;
            this.approvalRequired = approvalRequired;
        }

        /** A plain string: an environment whose rollouts need an approval. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static Environment named(String name) {
            return new Environment(name, null);
        }

        /** Anything but an explicit {@code false} keeps the approval requirement. */
        boolean requiresApproval() {
            return !Boolean.FALSE.equals(approvalRequired);
        }
    }
}
