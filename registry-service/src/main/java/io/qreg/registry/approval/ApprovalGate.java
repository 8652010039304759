package io.qreg.registry.approval;

import java.util.UUID;

/**
 * What a rollout asks before it moves a variant into a tier: is there a valid approval for exactly
 * this variant, deployment, environment and tier? Valid means APPROVED, not expired, and bound to
 * evidence that has not changed since it was signed.
 */
public interface ApprovalGate {

    /**
     * Returns the approval when it is valid for the target; otherwise throws an
     * {@link io.qreg.registry.web.ApiException} (409) whose detail names the approval's status or the mismatch.
     */
    ApprovedDecision requireApproved(UUID approvalId, UUID variantId, String deployment, String environment,
            String tier);
}
