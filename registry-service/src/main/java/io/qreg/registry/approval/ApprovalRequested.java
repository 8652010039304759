package io.qreg.registry.approval;

import java.util.UUID;

/**
 * Published when a request is opened, inside its transaction; listen with
 * {@code @TransactionalEventListener} to act only once it is committed.
 */
public record ApprovalRequested(UUID approvalId, UUID variantId, UUID checkpointId, String modelName, String deployment,
        String environment, String tier, ApprovalStatus status, String actor, boolean override) {
}
