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

/**
 * Maps domain events to webhook events, one line each. Plain (synchronous) listeners on purpose:
 * they run inside the publisher's transaction, so the outbox row commits or rolls back with the change.
 */
@Component
class WebhookEventListeners {

    private final WebhookOutbox outbox;

    WebhookEventListeners(WebhookOutbox outbox) {
        this.outbox = outbox;
    }

    @EventListener
    void variantReady(VariantCreated e) {
        outbox.enqueue(WebhookEvents.VARIANT_READY, "variant", e.variantId().toString(), WebhookOutbox.fieldsOf(e));
    }

    @EventListener
    void approvalRequested(ApprovalRequested e) {
        outbox.enqueue(WebhookEvents.APPROVAL_REQUESTED, "approval", e.approvalId().toString(),
                WebhookOutbox.fieldsOf(e));
    }

    @EventListener
    void approvalDecided(ApprovalDecided e) {
        outbox.enqueue(WebhookEvents.APPROVAL_DECIDED, "approval", e.approvalId().toString(),
                WebhookOutbox.fieldsOf(e));
    }

    @EventListener
    void approvalLapsed(ApprovalLapsed e) {
        outbox.enqueue(WebhookEvents.APPROVAL_LAPSED, "approval", e.approvalId().toString(),
                WebhookOutbox.fieldsOf(e));
    }

    /** Every move of the canary's weight is a step (start, advance, completion); pauses change no traffic. */
    @EventListener
    void rollout(RolloutEvent e) {
        if (e instanceof RolloutEvent.RolloutRolledBack) {
            outbox.enqueue(WebhookEvents.ROLLOUT_ROLLBACK, "rollout", e.rolloutId().toString(),
                    WebhookOutbox.fieldsOf(e));
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
        outbox.enqueue(WebhookEvents.AUDIT_CHECKPOINT, "audit-log", String.valueOf(e.treeSize()),
                WebhookOutbox.fieldsOf(e));
    }
}
