package io.qreg.registry.approval;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.policy.Evidence;
import io.qreg.registry.policy.PolicyChanged;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.DomainEventPublisher;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.EvidenceRecorded;
import io.qreg.registry.web.ApiException;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Keeps open approvals honest. An approval stands on the evidence it was granted on; whenever that
 * evidence grows (a new evaluation or benchmark) or the model's policy changes, the policy judges
 * the approval again: still passing, it records the new evidence and keeps its status; failing, it
 * LAPSES, naming the failing checks. Its time-to-live runs out only while no rollout has used it.
 *
 * <p>It reviews at three moments: inside the transaction that records new evidence or a new policy
 * (so the lapse commits with its cause, and a crash cannot separate them), and whenever an approval
 * is read, signed or asked for by a rollout (so even a lapse recorded elsewhere is never missed).
 */
@Component
@RequiredArgsConstructor
class ApprovalReviewer {

    private final Approvals store;
    private final ApprovalSubjects subjects;
    private final AuditLog audit;
    private final DomainEventPublisher events;

    @EventListener
    void evidenceRecorded(EvidenceRecorded e) {
        reviewLocked(ApprovalSubject.of(e.variantId(), e.checkpointId()), null, false);
    }

    @EventListener
    void policyChanged(PolicyChanged e) {
        reviewLocked(null, e.modelName(), true);
    }

    /** Reviews the open approvals of a subject (or a whole model), holding their row locks to the end of the transaction. */
    private void reviewLocked(ApprovalSubject subject, String modelName, boolean policyChanged) {
        Instant now = Timestamps.now();
        for (UUID id : store.lockOpen(subject, modelName)) {
            review(load(id), now, policyChanged);
        }
    }

    /** The approval brought up to date (expiry, evidence), as stored afterwards. */
    Approval refreshed(Approval a, Instant now) {
        return review(a, now, false);
    }

    private Approval review(Approval a, Instant now, boolean policyChanged) {
        if (!a.status().isOpen()) {
            return a;
        }
        ApprovalView before = ApprovalView.of(a);
        String action;
        Map<String, Object> details = new LinkedHashMap<>();
        if (a.expiredAt(now)) {
            a.expire(now, CurrentUser.username());
            action = "approval.expired";
        } else {
            Evidence current = subjects.evidence(a.subject());
            boolean evidenceChanged = !current.digest().equals(a.evidence().digest());
            if (!evidenceChanged && !policyChanged) {
                return a;
            }
            Verdict verdict = subjects.verdict(a.subject());
            List<String> failing = newlyFailing(a, verdict);
            String cause = evidenceChanged ? "new evidence (" + verdict.evidence().changesSince(a.evidence()) + ")"
                    : "the changed policy of model '" + a.modelName() + "'";
            details.put("cause", cause);
            details.put("previousEvidenceDigest", a.evidence().digest());
            details.put("evidenceDigest", verdict.evidence().digest());
            if (failing.isEmpty()) {
                if (!evidenceChanged) {
                    return a;
                }
                a.evidenceUpdated(verdict.evidence(), now);
                action = "approval.evidence-updated";
            } else {
                a.lapse(failing, "the policy fails on " + cause + ": " + String.join("; ", failing)
                        + "; whatever serves under this approval may no longer do so", now, CurrentUser.username());
                details.put("failedChecks", failing);
                action = "approval.lapsed";
            }
        }
        store.update(a);
        Approval stored = load(a.id());
        if ("approval.evidence-updated".equals(action)) {
            audit.recordAs("system", action, "approval", a.id().toString(), before, ApprovalView.of(stored),
                    Map.of("details", details, "triggeredBy", CurrentUser.username()));
        } else {
            decided(a, action, before, ApprovalView.of(stored), "system", CurrentUser.username(), details);
        }
        return stored;
    }

    /**
     * The failing checks an approval does not already cover: an ADMIN's override was granted for the
     * checks that failed then, so only a check failing beyond those lapses it.
     */
    private static List<String> newlyFailing(Approval a, Verdict verdict) {
        Set<String> overridden = a.overrideReason() == null ? Set.of()
                : a.failedChecks().stream().map(ApprovalReviewer::checkKey).collect(Collectors.toSet());
        return verdict.failedChecks().stream().map(Verdict.Check::summary)
                .filter(summary -> !overridden.contains(checkKey(summary))).toList();
    }

    /** A check's name and hardware target, the part of {@link Verdict.Check#summary()} before its detail. */
    private static String checkKey(String summary) {
        int detail = summary.indexOf(" (");
        return detail < 0 ? summary : summary.substring(0, detail);
    }

    /**
     * Audits a final (or APPROVED) decision, then publishes the events the approval registered for it
     * ({@link ApprovalDecided}, and {@link ApprovalLapsed} for a lapse), in the same transaction.
     */
    void decided(Approval a, String action, ApprovalView before, ApprovalView after, String actor,
            String triggeredBy, Map<String, Object> extra) {
        Map<String, Object> details = new LinkedHashMap<>(extra);
        details.put("status", a.status().name());
        details.put("reason", a.statusReason());
        details.put("triggeredBy", triggeredBy);
        audit.recordAs(actor, action, "approval", a.id().toString(), before, after, details);
        events.publish(a);
    }

    Approval load(UUID id) {
        return store.find(id).orElseThrow(() -> ApiException.notFound("approval", id));
    }
}
