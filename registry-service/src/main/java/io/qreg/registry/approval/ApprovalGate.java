package io.qreg.registry.approval;

import java.util.UUID;

/**
 * What a rollout asks before it moves a variant or a checkpoint into a tier: is there a valid
 * approval for exactly this subject, deployment, environment and tier? Valid means APPROVED, not
 * expired, and its policy still passing on the evidence as it is now.
 */
public interface ApprovalGate {

    /**
     * Returns the approval when it is valid for the target and records that a rollout uses it;
     * otherwise throws an {@link io.qreg.registry.web.ApiException} (409) whose detail names the
     * approval's status or the mismatch (404 for an unknown approval).
     */
    ApprovedDecision requireApproved(UUID approvalId, ApprovalSubject subject, String deployment,
            String environment, String tier);
}
