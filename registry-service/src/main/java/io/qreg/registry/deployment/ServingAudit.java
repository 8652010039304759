package io.qreg.registry.deployment;

import java.util.List;
import java.util.UUID;

/**
 * Which backends serve traffic without a valid approval. Deployments define where traffic goes;
 * what serves there is the rollouts' business, so the rollout feature answers this.
 */
public interface ServingAudit {

    /** Of one deployment, or of every deployment when {@code deploymentId} is null. */
    List<ServingIncident> servingWithoutValidApproval(UUID deploymentId);
}
