package io.qreg.registry.webhook;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import io.qreg.registry.approval.ApprovalDecided;
import io.qreg.registry.approval.ApprovalLapsed;
import io.qreg.registry.approval.ApprovalRequested;
import io.qreg.registry.audit.AuditCheckpointSigned;
import io.qreg.registry.rollout.RolloutEvent;
import io.qreg.registry.variant.VariantCreated;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Maps domain events to webhook events, one line each. Plain (synchronous) listeners on purpose:
 * they run inside the publisher's transaction, so the outbox row commits or rolls back with the change.
 */
@Component
@RequiredArgsConstructor
class WebhookEventListeners {

    private final WebhookOutbox outbox;

    @EventListener
    void variantReady(VariantCreated e) {
        enqueue(WebhookEvents.VARIANT_READY, "variant", e.variantId(), e);
    }

    @EventListener
    void approvalRequested(ApprovalRequested e) {
        enqueue(WebhookEvents.APPROVAL_REQUESTED, "approval", e.approvalId(), e);
    }

    @EventListener
    void approvalDecided(ApprovalDecided e) {
        enqueue(WebhookEvents.APPROVAL_DECIDED, "approval", e.approvalId(), e);
    }

    @EventListener
    void approvalLapsed(ApprovalLapsed e) {
        enqueue(WebhookEvents.APPROVAL_LAPSED, "approval", e.approvalId(), e);
    }

    /** Every move of the canary's weight is a step (start, advance, completion); pauses change no traffic. */
    @EventListener
    void rollout(RolloutEvent e) {
        if (e instanceof RolloutEvent.RolloutRolledBack) {
            enqueue(WebhookEvents.ROLLOUT_ROLLBACK, "rollout", e.rolloutId(), e);
        } else if (e instanceof RolloutEvent.RolloutStarted || e instanceof RolloutEvent.RolloutStepped
                || e instanceof RolloutEvent.RolloutCompleted) {
            Map<String, Object> data = new LinkedHashMap<>(WebhookOutbox.fieldsOf(e));
            data.put("move", e.getClass().getSimpleName().replace("Rollout", "").toLowerCase(Locale.ROOT));
            outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", e.rolloutId().toString(), data);
        }
    }

    /** The signed head as {@code data} (treeSize, rootHash, timestamp, signature, keyFingerprint). */
    @EventListener
    void auditCheckpoint(AuditCheckpointSigned e) {
        enqueue(WebhookEvents.AUDIT_CHECKPOINT, "audit-log", e.treeSize(), e);
    }

    /** The domain event's own fields as the payload's {@code data}, about the subject it names. */
    private void enqueue(String webhookEvent, String subjectType, Object subjectId, Object domainEvent) {
        outbox.enqueue(webhookEvent, subjectType, subjectId.toString(), WebhookOutbox.fieldsOf(domainEvent));
    }
}
