package io.qreg.registry.webhook;

import java.util.List;

/** The event types a subscription can name; {@code *} subscribes to all of them but {@link #NAMED_ONLY}. */
public final class WebhookEvents {

    public static final String VARIANT_READY = "variant.ready";
    public static final String APPROVAL_REQUESTED = "approval.requested";
    public static final String APPROVAL_DECIDED = "approval.decided";
    /** An approval's policy failed on newer evidence or a changed policy; whatever serves under it is an incident. */
    public static final String APPROVAL_LAPSED = "approval.lapsed";
    public static final String ROLLOUT_STEP = "rollout.step";
    public static final String ROLLOUT_ROLLBACK = "rollout.rollback";
    /** A signed tree head of the audit log (docs/security.md, "The audit log"): receivers keep it as an outside copy. */
    public static final String AUDIT_CHECKPOINT = "audit.checkpoint";
    public static final String ALL = "*";
    /** Sent only by {@code POST /api/v1/webhooks/{id}/test}, to that one subscription, whatever its filter. */
    public static final String PING = "ping";

    /** Sent only to subscriptions that name them, not to {@code *}: a checkpoint comes every minute and would drown the rest. */
    public static final List<String> NAMED_ONLY = List.of(AUDIT_CHECKPOINT);

    public static final List<String> SUBSCRIBABLE = List.of(VARIANT_READY, APPROVAL_REQUESTED, APPROVAL_DECIDED,
            APPROVAL_LAPSED, ROLLOUT_STEP, ROLLOUT_ROLLBACK, AUDIT_CHECKPOINT);

    private WebhookEvents() {
    }
}
