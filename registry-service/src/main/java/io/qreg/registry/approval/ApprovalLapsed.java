package io.qreg.registry.approval;

import java.util.List;
import java.util.UUID;

/**
 * Published when the policy, judging newer evidence or a changed policy, fails an approval that was
 * open, inside the transaction that records it. Whatever serves traffic under it is now an incident.
 */
public record ApprovalLapsed(UUID approvalId, UUID variantId, UUID checkpointId, String modelName,
        String deployment, String environment, String tier, List<String> failedChecks, String reason) {

    public ApprovalLapsed {
        failedChecks = List.copyOf(failedChecks);
    }
}
