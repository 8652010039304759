package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.support.DomainEventPublisher;
import io.qreg.registry.support.Timestamps;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * Returns a tier whose stable backend's approval lapsed to the backend that was stable before it,
 * as a rollout that completes at once (created by {@code system}), so routing, history and audit
 * read it like any other move. It only goes back to a backend whose own approval still stands: going
 * back to one that lapsed too would trade one incident for another, or swing between the two.
 */
@Service
@RequiredArgsConstructor
class StableReverter {

    private final Rollouts store;
    private final DeploymentService deployments;
    private final AuditLog audit;
    private final DomainEventPublisher events;
    private final RolloutService rollouts;

    /** What a revert did: the rollout it created, or why it made none. */
    record Outcome(UUID revertRolloutId, String skipped) {
    }

    /**
     * Reverts the tier if {@code lapsed} is still its stable rollout; anything else (another instance
     * got there first, someone rolled out since) leaves it alone.
     */
    @Transactional
    public Outcome revert(UUID lapsedRolloutId, UUID approvalId, String why) {
        Rollout lapsed = store.find(lapsedRolloutId).orElse(null);
        if (lapsed == null) {
            return new Outcome(null, "rollout " + lapsedRolloutId + " does not exist");
        }
        DeploymentView d = deployments.lock(lapsed.deploymentId());
        Optional<Rollout> current = store.lastCompletedIn(d.id(), lapsed.environment()).stream()
                .filter(r -> r.tier().equals(lapsed.tier())).findFirst();
        if (current.isEmpty() || !current.get().id().equals(lapsedRolloutId)) {
            return new Outcome(null, "the tier's stable backend changed since; nothing to revert");
        }
        Backend previous = lapsed.previous();
        if (previous == null) {
            return new Outcome(null, "the tier had no stable backend before " + lapsed.candidate().cluster());
        }
        // A microsecond before it started: a rollout into a tier can complete at the instant it starts.
        Optional<Rollout> before = store.lastCompletedAt(d.id(), lapsed.environment(), lapsed.tier(),
                lapsed.createdAt().minusNanos(1000)).filter(r -> r.candidate().equals(previous));
        UUID previousApproval = before.map(Rollout::approvalId).orElse(null);
        if (previousApproval != null && !standing(previousApproval)) {
            return new Outcome(null, "the previous stable backend " + previous.cluster() + " serves under approval "
                    + previousApproval + ", which no longer stands either");
        }
        Instant now = Timestamps.now();
        // What the tier serves now: the lapsed stable backend, and perhaps another rollout's canary, which stays.
        TierServing serving = rollouts.serving(d.id(), lapsed.environment()).get(lapsed.tier());
        Rollout revert = Rollout.start(d.id(), d.name(), lapsed.environment(), lapsed.tier(), previous,
                lapsed.candidate(), previousApproval, before.map(Rollout::signedBy).orElse(List.of()),
                before.map(Rollout::evidenceDigest).orElse(null), List.of(100), lapsed.analysis(), now, "system",
                serving);
        store.insert(revert);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("reason", why);
        details.put("lapsedApprovalId", approvalId.toString());
        details.put("lapsedBackend", lapsed.candidate().cluster());
        details.put("restored", previous.cluster());
        details.put("lapsedRolloutId", lapsedRolloutId.toString());
        audit.recordAs("system", "rollout.reverted", "rollout", revert.id().toString(), null, Map.of(
                "candidate", previous.describe(), "previous", lapsed.candidate().describe()), details);
        // It started and completed at once (one audit record): both its events follow that record.
        events.publish(revert);
        return new Outcome(revert.id(), null);
    }

    private boolean standing(UUID approvalId) {
        return store.approvalStatus(approvalId).filter(status -> !List.of("LAPSED", "VOID").contains(status))
                .isPresent();
    }
}
