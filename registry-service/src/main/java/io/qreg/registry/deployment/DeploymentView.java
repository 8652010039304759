package io.qreg.registry.deployment;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;

/**
 * A deployment as the API returns it; {@code tiers} are in routing order, the default tier last.
 * {@code environmentsWithoutApproval} are the sandboxes among {@code environments} whose rollouts need no
 * approval; every other environment needs an APPROVED approval for whatever serves in it. {@code metrics}
 * are the Prometheus queries its canaries are judged by. {@code archival} shows as {@code archived},
 * {@code archivedAt} and {@code archivedBy}: an archived deployment takes no new approvals or rollouts.
 */
public record DeploymentView(UUID id, String name, String modelName, UUID modelId, String description,
        List<String> environments, List<String> environmentsWithoutApproval, List<TierView> tiers,
        Instant createdAt, String createdBy, List<CanaryMetric> metrics, @JsonUnwrapped Archival archival) {

    public DeploymentView {
        environments = List.copyOf(environments);
        environmentsWithoutApproval = List.copyOf(environmentsWithoutApproval);
    }

    /** Refuses (409 naming {@code deployment}) to {@code action} an archived deployment, e.g. "roll out to". */
    public void requireActive(String action) {
        if (archival.archived()) {
            throw archival.refusal("deployment", "deployment '" + name + "'", action,
                    "/api/v1/deployments/" + name + "/unarchive");
        }
    }

    /** Whether a rollout into the environment needs an APPROVED approval (all but the declared sandboxes). */
    public boolean approvalRequired(String environment) {
        return !environmentsWithoutApproval.contains(environment);
    }

    /** The environment, or a 404 naming the field and the environments there are. */
    public String requireEnvironment(String environment) {
        if (environment == null || environment.isBlank()) {
            throw ApiException.invalid("environment", "environment is required; deployment '" + name + "' has "
                    + environments);
        }
        if (!environments.contains(environment)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "deployment '" + name + "' has no environment '"
                    + environment + "'; it has " + environments, "environment");
        }
        return environment;
    }

    /** The tier, or a 404 naming the field and the tiers there are. */
    public TierView requireTier(String tier) {
        if (tier == null || tier.isBlank()) {
            throw ApiException.invalid("tier", "tier is required; deployment '" + name + "' has "
                    + tiers.stream().map(TierView::name).toList());
        }
        return tiers.stream().filter(t -> t.name().equals(tier)).findFirst()
                .orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "deployment '" + name + "' has no tier '"
                        + tier + "'; it has " + tiers.stream().map(TierView::name).toList(), "tier"));
    }
}
