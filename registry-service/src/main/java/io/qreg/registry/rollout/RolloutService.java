package io.qreg.registry.rollout;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalGate;
import io.qreg.registry.approval.ApprovedDecision;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.DomainEventPublisher;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Starts and moves rollouts. Every move takes the deployment's row lock first, so moves of one
 * deployment (and the routing revisions they publish through {@link RolloutEvent}s, in the same
 * transaction) happen one at a time, and a rejected move leaves nothing written.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class RolloutService {

    private static final int HEALTH_SHOWN = 100;
    private static final int INTERVALS_SHOWN = 20;

    private final Rollouts store;
    private final Analyses analyses;
    private final DeploymentService deployments;
    private final ApprovalGate approvals;
    private final RolloutCandidates candidates;
    private final AuditLog audit;
    private final DomainEventPublisher events;

    // ---------------------------------------------------------------- start

    @Transactional
    public RolloutView start(String deploymentName, RolloutRequest r) {
        if (r == null) {
            throw ApiException.invalid("variantId", "a rollout needs {variantId, environment, tier, steps, approvalId}");
        }
        RolloutCandidates.requireOneNamed(r);
        List<Integer> steps = RolloutSteps.of(r.steps());
        Analysis analysis = Analysis.withDefaults(r.analysis(), r.thresholds());
        DeploymentView d = deployments.lock(deploymentName);
        d.requireActive("rolled out to");
        String environment = d.requireEnvironment(r.environment());
        TierView tier = d.requireTier(r.tier());
        RolloutCandidates.Chosen chosen = candidates.choose(d, tier, r);
        Backend candidate = chosen.candidate();
        boolean approvalRequired = d.approvalRequired(environment);
        if (approvalRequired && r.approvalId() == null) {
            throw ApiException.invalid("approvalId", "approvalId is required: the APPROVED approval for "
                    + candidate.source() + " " + candidate.id() + " to serve " + d.name() + "/" + environment + "/"
                    + tier.name() + " (only " + d.environmentsWithoutApproval() + " of deployment '" + d.name()
                    + "' need none)");
        }
        TierServing now = serving(d.id(), environment, tier.name());
        if (now.active() != null) {
            throw ApiException.conflict("tier " + tier.name() + " of " + d.name() + "/" + environment
                    + " already has rollout " + now.active().id() + " in phase " + now.active().phase()
                    + "; complete or roll it back first");
        }
        if (candidate.equals(now.stable())) {
            throw ApiException.conflict(candidate.source() + " " + candidate.id() + " already is the stable backend"
                    + " of tier " + tier.name() + " in " + d.name() + "/" + environment);
        }
        // In a sandbox an approval is optional; one that is named must still be valid for the target.
        ApprovedDecision decision = r.approvalId() == null ? null
                : approvals.requireApproved(r.approvalId(), candidate.approvalSubject(), d.name(), environment,
                        tier.name());
        Instant at = Timestamps.now();
        Rollout rollout = Rollout.start(d.id(), d.name(), environment, tier.name(), candidate, now.stable(),
                r.approvalId(), decision == null ? List.of() : decision.signedBy(),
                decision == null ? null : decision.evidenceDigest(), steps, analysis, at, CurrentUser.username(), now);
        try {
            store.insert(rollout);
        } catch (DuplicateKeyException e) {
            throw ApiException.conflict("tier " + tier.name() + " of " + d.name() + "/" + environment
                    + " got another active rollout at the same moment; read it and retry");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("deployment", d.name());
        details.put("environment", environment);
        details.put("tier", tier.name());
        details.put("candidate", candidate.cluster());
        if (chosen.alias() != null) {
            // The alias as it pointed when the rollout started: moving it later does not move this rollout.
            details.put("alias", chosen.alias());
            details.put("aliasResolvedTo", candidate.source() + " " + candidate.id());
        }
        details.put("steps", steps);
        details.put("approvalId", String.valueOf(r.approvalId()));
        details.put("signedBy", rollout.signedBy());
        if (decision == null) {
            details.put("unapproved", "environment '" + environment + "' of deployment '" + d.name()
                    + "' needs no approval; started without one");
        }
        details.put("analysis", analysis);
        audit.record("rollout.started", "rollout", rollout.id().toString(), null, rollout.auditState(), details);
        TierServing after = serving(d.id(), environment, tier.name());
        // A start into an empty tier completes too: its completion is audited before it is announced.
        events.publish(rollout, RolloutEvent.RolloutStarted.class);
        if (rollout.phase() == RolloutPhase.COMPLETED) {
            completed(rollout);
        }
        return view(rollout, after);
    }

    // ---------------------------------------------------------------- moves

    /** Request body of a manual advance: {@code force} (with a {@code reason}) overrides an unfinished analysis. */
    public record AdvanceRequest(Boolean force, String reason) {
    }

    /** A person's advance: refused (409) before the step's analysis has passed, unless forced with a reason. */
    @Transactional
    public RolloutView advance(UUID id, AdvanceRequest request) {
        boolean force = request != null && Boolean.TRUE.equals(request.force());
        String reason = request == null || request.reason() == null ? "" : request.reason().trim();
        if (force && (reason.isEmpty() || reason.length() > 1000)) {
            throw ApiException.invalid("reason", "a forced advance needs a reason of 1-1000 characters: why the"
                    + " step may skip the rest of its analysis");
        }
        Rollout rollout = lock(id);
        TierServing serving = servingOf(rollout);
        Map<String, Object> before = rollout.auditState();
        Instant at = Timestamps.now();
        ForcedAdvance[] forced = {null};
        transition(() -> forced[0] = force ? rollout.forceAdvance(CurrentUser.username(), reason, at, serving)
                : rollout.advance(at, serving));
        Map<String, Object> how = new LinkedHashMap<>();
        how.put("automatic", false);
        how.put("forced", forced[0] != null);
        if (forced[0] != null) {
            how.put("reason", reason);
            how.put("missing", forced[0].missing());
        }
        return stepped(rollout, before, forced[0] != null ? "rollout.force-advanced" : "rollout.advanced", how);
    }

    /** The judge's advance once the step's analysis has passed; the caller holds the deployment's lock. */
    @Transactional(propagation = Propagation.MANDATORY)
    public RolloutView advanceJudged(Rollout rollout, UUID intervalId, IntervalJudgement judgement) {
        TierServing serving = servingOf(rollout);
        Map<String, Object> before = rollout.auditState();
        Instant at = Timestamps.now();
        transition(() -> rollout.advance(at, serving));
        // The interval's combined figures go into the audit event: they are the evidence for the move.
        return stepped(rollout, before, "rollout.advanced", Map.of("automatic", true, "forced", false,
                "analysisIntervalId", intervalId.toString(), "analysisData", judgement.data()));
    }

    private RolloutView stepped(Rollout rollout, Map<String, Object> before, String action, Map<String, Object> how) {
        UUID id = rollout.id();
        if (rollout.approvalId() != null) {
            // Evidence may have changed since the last step: the gate re-checks the approval each time.
            ApprovedDecision decision = approvals.requireApproved(rollout.approvalId(),
                    rollout.candidate().approvalSubject(), rollout.deployment(), rollout.environment(),
                    rollout.tier());
            rollout.approvedBy(decision.signedBy(), decision.evidenceDigest());
        }
        store.update(rollout);
        Map<String, Object> details = new LinkedHashMap<>(how);
        details.put("stepIndex", rollout.stepIndex());
        details.put("percent", rollout.percent());
        details.put("signedBy", rollout.signedBy());
        audit.record(action, "rollout", id.toString(), before, rollout.auditState(), details);
        TierServing after = servingOf(rollout);
        events.publish(rollout, RolloutEvent.RolloutStepped.class);
        if (rollout.phase() == RolloutPhase.COMPLETED) {
            completed(rollout);
        }
        return view(rollout, after);
    }

    @Transactional
    public RolloutView pause(UUID id) {
        return hold(id, Rollout::pause, "rollout.paused");
    }

    @Transactional
    public RolloutView resume(UUID id) {
        return hold(id, Rollout::resume, "rollout.resumed");
    }

    /** A pause or a resume of a rollout, at an instant, given what its tier serves. */
    private interface Hold {
        void apply(Rollout rollout, Instant at, TierServing serving);
    }

    /** Pause and resume: a phase change that moves no traffic, audited and announced like every move. */
    private RolloutView hold(UUID id, Hold move, String action) {
        Rollout rollout = lock(id);
        TierServing serving = servingOf(rollout);
        Map<String, Object> before = rollout.auditState();
        Instant at = Timestamps.now();
        transition(() -> move.apply(rollout, at, serving));
        store.update(rollout);
        audit.record(action, "rollout", id.toString(), before, rollout.auditState(),
                Map.of("stepIndex", rollout.stepIndex()));
        TierServing after = servingOf(rollout);
        events.publish(rollout);
        return view(rollout, after);
    }

    /** Request body of a manual rollback. */
    public record RollbackRequest(String reason) {
    }

    @Transactional
    public RolloutView rollBack(UUID id, RollbackRequest request) {
        String reason = request == null || request.reason() == null || request.reason().isBlank()
                ? "rolled back by " + CurrentUser.username() : request.reason().trim();
        if (reason.length() > 1000) {
            throw ApiException.invalid("reason", "reason must be at most 1000 characters");
        }
        Rollout rollout = lock(id);
        return rollBack(rollout, reason, false, null, null);
    }

    /** The judge's rollback of a canary whose interval failed; the caller holds the deployment's lock. */
    @Transactional(propagation = Propagation.MANDATORY)
    public RolloutView rollBackJudged(Rollout rollout, String reason, UUID intervalId, IntervalJudgement judgement) {
        return rollBack(rollout, reason, true, intervalId, judgement);
    }

    private RolloutView rollBack(Rollout rollout, String reason, boolean automatic, UUID intervalId,
            IntervalJudgement judgement) {
        List<Thresholds.Breach> breaches = judgement == null ? List.of() : judgement.breaches();
        TierServing serving = servingOf(rollout);
        Map<String, Object> before = rollout.auditState();
        Instant at = Timestamps.now();
        transition(() -> rollout.rollBack(reason, at, serving, automatic,
                breaches.isEmpty() ? null : breaches.get(0).metric()));
        store.update(rollout);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("automatic", automatic);
        details.put("reason", reason);
        details.put("stepIndex", rollout.stepIndex());
        if (automatic) {
            details.put("analysisIntervalId", intervalId.toString());
            details.put("breached", breaches.stream().map(Thresholds.Breach::toMap).toList());
            details.put("analysisData", judgement.data());
        }
        audit.record("rollout.rolled-back", "rollout", rollout.id().toString(), before, rollout.auditState(),
                details);
        TierServing after = servingOf(rollout);
        events.publish(rollout);
        return view(rollout, after);
    }

    /** Audits a completion, then announces it (the {@link RolloutEvent.RolloutCompleted} the move registered). */
    private void completed(Rollout rollout) {
        audit.record("rollout.completed", "rollout", rollout.id().toString(), null, rollout.auditState(),
                Map.of("stable", rollout.candidate().cluster(), "previous",
                        rollout.previous() == null ? "none" : rollout.previous().cluster()));
        events.publish(rollout);
    }

    // ---------------------------------------------------------------- reads

    @Transactional(readOnly = true)
    public RolloutView get(UUID id) {
        Rollout rollout = store.find(id).orElseThrow(() -> ApiException.notFound("rollout", id));
        return view(rollout, servingOf(rollout));
    }

    /** What every tier of the environment serves now, keyed by tier name (tiers nothing serves are absent). */
    @Transactional(readOnly = true)
    public Map<String, TierServing> serving(UUID deploymentId, String environment) {
        Map<String, Backend> stable = new LinkedHashMap<>();
        Map<String, UUID> stableRollout = new LinkedHashMap<>();
        for (Rollout r : store.lastCompletedIn(deploymentId, environment)) {
            stable.put(r.tier(), r.candidate());
            stableRollout.put(r.tier(), r.id());
        }
        Map<String, Rollout> active = new LinkedHashMap<>();
        for (Rollout r : store.activeIn(deploymentId, environment)) {
            active.put(r.tier(), r);
        }
        Map<String, TierServing> serving = new LinkedHashMap<>();
        for (String tier : stable.keySet()) {
            serving.put(tier, new TierServing(tier, stable.get(tier), stableRollout.get(tier), active.get(tier)));
        }
        return serving;
    }

    /** The rollout whose completion made the tier's stable backend what it was at {@code at}. */
    @Transactional(readOnly = true)
    public Optional<Rollout> completedAt(UUID deploymentId, String environment, String tier, Instant at) {
        return store.lastCompletedAt(deploymentId, environment, tier, at);
    }

    /** Active rollouts of every deployment, the most recently moved first, with their latest health. */
    @Transactional(readOnly = true)
    public List<RolloutView> active(int limit) {
        return store.activeAll(Math.max(1, Math.min(limit, 100))).stream()
                .map(r -> view(r, servingOf(r))).toList();
    }

    /** Every rollout of a variant, newest first (without health reports): where it went, for its lineage. */
    @Transactional(readOnly = true)
    public List<Rollout> ofVariant(UUID variantId) {
        return store.ofVariant(variantId, 100);
    }

    /** An environment's rollouts of any phase, newest first (without health reports: a history list). */
    @Transactional(readOnly = true)
    public List<Rollout> recent(UUID deploymentId, String environment, int limit) {
        return store.recentIn(deploymentId, environment, Math.max(1, Math.min(limit, 100)));
    }

    @Transactional(readOnly = true)
    public Optional<Rollout> find(UUID id) {
        return store.find(id);
    }

    /**
     * What one tier serves: its last completed rollout and its active one, read for that tier alone
     * (every move and health report asks this; reading the whole environment cost a query of all its tiers).
     */
    private TierServing serving(UUID deploymentId, String environment, String tier) {
        Optional<Rollout> stable = store.lastCompleted(deploymentId, environment, tier);
        if (stable.isEmpty()) {
            return new TierServing(tier, null, null, null);
        }
        return new TierServing(tier, stable.get().candidate(), stable.get().id(),
                store.active(deploymentId, environment, tier).orElse(null));
    }

    // ---------------------------------------------------------------- helpers

    /** The rollout, with its deployment's row lock held to the end of the caller's transaction. */
    @Transactional(propagation = Propagation.MANDATORY)
    public Rollout lock(UUID id) {
        UUID deploymentId = store.deploymentOf(id).orElseThrow(() -> ApiException.notFound("rollout", id));
        deployments.lock(deploymentId);
        return store.find(id).orElseThrow(() -> ApiException.notFound("rollout", id));
    }

    private static void transition(Runnable move) {
        try {
            move.run();
        } catch (IllegalTransitionException e) {
            throw ApiException.conflict(e.getMessage());
        }
    }

    /** The rollout as the API shows it, with its tier's weights now. */
    @Transactional(readOnly = true)
    public RolloutView view(Rollout r) {
        return view(r, servingOf(r));
    }

    /** What the rollout's tier serves now. */
    private TierServing servingOf(Rollout r) {
        return serving(r.deploymentId(), r.environment(), r.tier());
    }

    private RolloutView view(Rollout r, TierServing tier) {
        return new RolloutView(r.id(), r.deployment(), r.environment(), r.tier(),
                r.candidate().variantBacked() ? r.candidate().id() : null,
                r.candidate().variantBacked() ? null : r.candidate().id(), r.candidate().describe(),
                r.previous() == null ? null : r.previous().describe(), r.approvalId(), r.signedBy(),
                r.evidenceDigest(), r.steps(), r.stepIndex(), r.percent(), r.phase(), r.thresholds(),
                AnalysisView.of(r, analyses.intervals(r.id(), r.stepIndex(), INTERVALS_SHOWN)), r.forcedAdvances(),
                r.reason(),
                tier.weights(), store.health(r.id(), HEALTH_SHOWN), r.createdAt(), r.createdBy(), r.updatedAt(),
                r.finishedAt());
    }
}
