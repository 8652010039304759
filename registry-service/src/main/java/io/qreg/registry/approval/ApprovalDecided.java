package io.qreg.registry.approval;

import java.util.UUID;

/**
 * Published when a request reaches APPROVED, REJECTED, VOID, EXPIRED or LAPSED, inside the transaction
 * that records it; listen with {@code @TransactionalEventListener} to act only once it is committed.
 * {@code actor} is whoever's action decided it (for VOID and EXPIRED, whoever's read revealed it).
 */
public record ApprovalDecided(UUID approvalId, UUID variantId, UUID checkpointId, String modelName, String deployment,
        String environment, String tier, ApprovalStatus status, String actor, String reason) {
}
