package io.qreg.registry.rollout;

import io.qreg.registry.support.AggregateRoot;
import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The rollout aggregate and its phases. The candidate takes {@code steps[stepIndex]} percent of
 * the tier's traffic (0: a shadow that receives mirrored requests only); the last step is 100,
 * where the candidate becomes the tier's stable backend and the rollout is done:
 *
 * <pre>
 * (start, tier has no stable)  -->            COMPLETED at the last step
 * (start)                      -->            PROGRESSING at step 0 (COMPLETED if that step is 100)
 * PROGRESSING --advance (analysis passed)-->  PROGRESSING at the next step, COMPLETED at 100
 * PROGRESSING --forceAdvance (with a reason)-> the same, recorded as forced
 * PROGRESSING --judged (interval)-->          PROGRESSING, the step's passes in a row counted
 * PROGRESSING --pause-->                      PAUSED
 * PAUSED      --resume-->                     PROGRESSING
 * PROGRESSING | PAUSED --rollback-->          ROLLED_BACK (the canary is gone, stable unchanged)
 * </pre>
 *
 * <p>Each step is analysed in back-to-back intervals of {@code analysis.intervalSeconds}: a passing
 * interval adds one to the step's passes in a row, one without data sets them back to 0, and the
 * step's analysis has passed at {@code analysis.successfulIntervals}. A new step, and a resume,
 * start a new interval at once.
 *
 * <p>Each move registers its {@link RolloutEvent} (a start or step that reaches 100% its
 * {@link RolloutEvent.RolloutCompleted} too). The tier's traffic split an event reports depends on
 * what else serves the tier, which the rollout does not hold, so each move is given the tier as it
 * serves before the move ({@link TierServing}).
 */
public class Rollout extends AggregateRoot {

    private final UUID id;
    private final UUID deploymentId;
    private final String deployment;
    private final String environment;
    private final String tier;
    private final Backend candidate;
    private final Backend previous;
    private final UUID approvalId;
    private List<String> signedBy;
    private String evidenceDigest;
    private final List<Integer> steps;
    private int stepIndex;
    private RolloutPhase phase;
    private final Analysis analysis;
    private Instant intervalStartedAt;
    private Instant intervalEndsAt;
    private int consecutivePasses;
    private String lastJudgement;
    private final List<ForcedAdvance> forcedAdvances;
    private String reason;
    private final Instant createdAt;
    private final String createdBy;
    private Instant updatedAt;
    private Instant finishedAt;

    Rollout(UUID id, UUID deploymentId, String deployment, String environment, String tier, Backend candidate,
            Backend previous, UUID approvalId, List<String> signedBy, String evidenceDigest, List<Integer> steps,
            int stepIndex, RolloutPhase phase, Analysis analysis, Instant intervalStartedAt, Instant intervalEndsAt,
            int consecutivePasses, String lastJudgement, List<ForcedAdvance> forcedAdvances, String reason,
            Instant createdAt, String createdBy, Instant updatedAt, Instant finishedAt) {
        this.id = id;
        this.deploymentId = deploymentId;
        this.deployment = deployment;
        this.environment = environment;
        this.tier = tier;
        this.candidate = candidate;
        this.previous = previous;
        this.approvalId = approvalId;
        this.signedBy = signedBy;
        this.evidenceDigest = evidenceDigest;
        this.steps = List.copyOf(steps);
        this.stepIndex = stepIndex;
        this.phase = phase;
        this.analysis = analysis;
        this.intervalStartedAt = intervalStartedAt;
        this.intervalEndsAt = intervalEndsAt;
        this.consecutivePasses = consecutivePasses;
        this.lastJudgement = lastJudgement;
        this.forcedAdvances = new java.util.ArrayList<>(forcedAdvances);
        this.reason = reason;
        this.createdAt = createdAt;
        this.createdBy = createdBy;
        this.updatedAt = updatedAt;
        this.finishedAt = finishedAt;
    }

    /**
     * A new rollout. Into a tier nothing serves yet there is nothing to compare a canary with, so
     * the candidate takes all traffic at once; otherwise it starts at the first step.
     */
    static Rollout start(UUID deploymentId, String deployment, String environment, String tier, Backend candidate,
            Backend previous, UUID approvalId, List<String> signedBy, String evidenceDigest, List<Integer> steps,
            Analysis analysis, Instant now, String createdBy, TierServing serving) {
        boolean emptyTier = previous == null;
        int index = emptyTier ? steps.size() - 1 : 0;
        RolloutPhase phase = steps.get(index) == 100 ? RolloutPhase.COMPLETED : RolloutPhase.PROGRESSING;
        Rollout r = new Rollout(UUID.randomUUID(), deploymentId, deployment, environment, tier, candidate, previous,
                approvalId, signedBy, evidenceDigest, steps, index, phase, analysis, now,
                now.plusSeconds(analysis.intervalSeconds()), 0, null, List.of(),
                emptyTier ? "the tier had no stable backend: the candidate took all traffic at once" : null, now,
                createdBy, now, phase == RolloutPhase.COMPLETED ? now : null);
        Map<String, Integer> weights = r.weightsAfter(serving);
        r.registerEvent(new RolloutEvent.RolloutStarted(r.id, deploymentId, deployment, environment, tier,
                r.variantId(), r.checkpointId(), index, r.percent(), weights, now));
        r.registerCompletion(weights, now);
        return r;
    }

    /** An independent copy, for a caller that may have to retry a move on the state as it was read. */
    Rollout copy() {
        return new Rollout(id, deploymentId, deployment, environment, tier, candidate, previous, approvalId, signedBy,
                evidenceDigest, steps, stepIndex, phase, analysis, intervalStartedAt, intervalEndsAt,
                consecutivePasses, lastJudgement, forcedAdvances, reason, createdAt, createdBy, updatedAt, finishedAt);
    }

    /** To the next step, once the current step's analysis has passed; returns null (nothing overridden). */
    ForcedAdvance advance(Instant now, TierServing serving) {
        require(RolloutPhase.PROGRESSING, "advanced");
        if (!analysisPassed()) {
            throw new IllegalTransitionException(phase, "rollout " + id + " cannot be advanced yet: "
                    + analysisMissing() + "; wait for the analysis, or advance with {\"force\": true, \"reason\":"
                    + " \"...\"}");
        }
        nextStep(now, serving);
        return null;
    }

    /**
     * To the next step whatever the analysis says; when it had not passed, the override is kept
     * with who did it and why. Returns the override, or null when the analysis had passed anyway.
     */
    ForcedAdvance forceAdvance(String by, String why, Instant now, TierServing serving) {
        require(RolloutPhase.PROGRESSING, "advanced");
        ForcedAdvance forced = analysisPassed() ? null
                : new ForcedAdvance(stepIndex, steps.get(stepIndex), steps.get(stepIndex + 1), by, why,
                        analysisMissing(), now);
        if (forced != null) {
            forcedAdvances.add(forced);
        }
        nextStep(now, serving);
        return forced;
    }

    private void nextStep(Instant now, TierServing serving) {
        stepIndex++;
        updatedAt = now;
        consecutivePasses = 0;
        lastJudgement = null;
        startInterval(now);
        if (steps.get(stepIndex) == 100) {
            phase = RolloutPhase.COMPLETED;
            finishedAt = now;
        }
        Map<String, Integer> weights = weightsAfter(serving);
        registerEvent(new RolloutEvent.RolloutStepped(id, deploymentId, deployment, environment, tier, stepIndex,
                percent(), weights, now));
        registerCompletion(weights, now);
    }

    /** At 100% the candidate is the tier's stable backend: the rollout is done. */
    private void registerCompletion(Map<String, Integer> weights, Instant now) {
        if (phase == RolloutPhase.COMPLETED) {
            registerEvent(new RolloutEvent.RolloutCompleted(id, deploymentId, deployment, environment, tier,
                    variantId(), checkpointId(), weights, now));
        }
    }

    /** The tier's split by cluster once this move is written, from what served it before the move. */
    private Map<String, Integer> weightsAfter(TierServing before) {
        return before.after(this).weights();
    }

    private UUID variantId() {
        return candidate.variantBacked() ? candidate.id() : null;
    }

    private UUID checkpointId() {
        return candidate.variantBacked() ? null : candidate.id();
    }

    /**
     * Counts the judgement of the interval that just ended and opens the next one, back to back
     * with it (or from {@code now} when the judge is a whole interval behind: no backlog to catch up).
     * A step's analysis, once passed, stays passed until the step changes: a later interval without
     * data no longer sets its passes back (the step waits for a person, or had advanced already).
     * A failed interval is counted as no pass; the caller rolls the rollout back.
     */
    void judged(IntervalOutcome outcome, String summary, Instant now) {
        require(RolloutPhase.PROGRESSING, "judged");
        if (outcome == IntervalOutcome.PASSED) {
            consecutivePasses++;
        } else if (outcome == IntervalOutcome.FAILED || !analysisPassed()) {
            consecutivePasses = 0;
        }
        lastJudgement = summary.length() > 1000 ? summary.substring(0, 997) + "..." : summary;
        Instant next = intervalEndsAt.plusSeconds(analysis.intervalSeconds());
        if (next.isAfter(now)) {
            intervalStartedAt = intervalEndsAt;
            intervalEndsAt = next;
        } else {
            startInterval(now);
        }
    }

    private void startInterval(Instant now) {
        intervalStartedAt = now;
        intervalEndsAt = now.plusSeconds(analysis.intervalSeconds());
    }

    /**
     * The moves worth offering a person now. An advance is {@link RolloutMove#ADVANCE} once the
     * step's analysis has passed and {@link RolloutMove#FORCE_ADVANCE} (with a reason) before: a
     * forced advance after the analysis passed overrides nothing, so it is not offered then.
     */
    public Set<RolloutMove> allowedMoves() {
        Set<RolloutMove> moves = EnumSet.noneOf(RolloutMove.class);
        if (phase == RolloutPhase.PROGRESSING) {
            if (stepIndex + 1 < steps.size()) {
                moves.add(analysisPassed() ? RolloutMove.ADVANCE : RolloutMove.FORCE_ADVANCE);
            }
            moves.add(RolloutMove.PAUSE);
        }
        if (phase == RolloutPhase.PAUSED) {
            moves.add(RolloutMove.RESUME);
        }
        if (phase.isActive()) {
            moves.add(RolloutMove.ROLLBACK);
        }
        return moves;
    }

    /** The step an advance moves to, as the candidate's percent; null at the last step. */
    public Integer nextPercent() {
        return stepIndex + 1 < steps.size() ? steps.get(stepIndex + 1) : null;
    }

    /** Whether the current step has had its passing intervals in a row. */
    public boolean analysisPassed() {
        return consecutivePasses >= analysis.successfulIntervals();
    }

    /** What the current step's analysis still lacks, in words. */
    public String analysisMissing() {
        int percent = steps.get(stepIndex);
        return "step " + (stepIndex + 1) + " (" + (percent == 0 ? "shadow" : percent + "%") + ") has "
                + consecutivePasses + " of " + analysis.successfulIntervals() + " passing intervals; last interval: "
                + (lastJudgement == null ? "none judged yet" : lastJudgement);
    }

    void pause(Instant now, TierServing serving) {
        require(RolloutPhase.PROGRESSING, "paused");
        phase = RolloutPhase.PAUSED;
        updatedAt = now;
        registerEvent(new RolloutEvent.RolloutPaused(id, deploymentId, deployment, environment, tier, stepIndex,
                weightsAfter(serving), now));
    }

    /** Back to moving; the pause is not analysed, so a new interval starts now (the passes so far stay). */
    void resume(Instant now, TierServing serving) {
        require(RolloutPhase.PAUSED, "resumed");
        phase = RolloutPhase.PROGRESSING;
        updatedAt = now;
        startInterval(now);
        registerEvent(new RolloutEvent.RolloutResumed(id, deploymentId, deployment, environment, tier, stepIndex,
                weightsAfter(serving), now));
    }

    /**
     * Ends the canary. {@code automatic} when the analysis judge did it, {@code breachedMetric} the
     * first threshold a failed interval breached (null for a person's rollback).
     */
    void rollBack(String why, Instant now, TierServing serving, boolean automatic, String breachedMetric) {
        if (!phase.isActive()) {
            throw new IllegalTransitionException(phase, "rollout " + id + " is " + phase
                    + " and cannot be rolled back; only PROGRESSING or PAUSED rollouts can"
                    + (phase == RolloutPhase.COMPLETED ? " (to return to the previous backend, start a rollout of it)"
                            : ""));
        }
        phase = RolloutPhase.ROLLED_BACK;
        reason = why;
        updatedAt = now;
        finishedAt = now;
        registerEvent(new RolloutEvent.RolloutRolledBack(id, deploymentId, deployment, environment, tier, automatic,
                breachedMetric, why, weightsAfter(serving), now));
    }

    /** Records the approval as the gate answered for the current step. */
    void approvedBy(List<String> signers, String digest) {
        signedBy = List.copyOf(signers);
        evidenceDigest = digest;
    }

    void requireActive(String action) {
        if (!phase.isActive()) {
            throw new IllegalTransitionException(phase, "rollout " + id + " is " + phase + " and cannot be "
                    + action + "; that needs PROGRESSING or PAUSED");
        }
    }

    private void require(RolloutPhase expected, String action) {
        if (phase != expected) {
            throw new IllegalTransitionException(phase, "rollout " + id + " is " + phase
                    + " and cannot be " + action + "; that needs " + expected);
        }
    }

    /** The candidate's share of the tier's traffic now; 0 while it is a shadow, 100 once it is stable. */
    public int percent() {
        return phase == RolloutPhase.ROLLED_BACK ? 0 : steps.get(stepIndex);
    }

    public UUID id() {
        return id;
    }

    public UUID deploymentId() {
        return deploymentId;
    }

    public String deployment() {
        return deployment;
    }

    public String environment() {
        return environment;
    }

    public String tier() {
        return tier;
    }

    public Backend candidate() {
        return candidate;
    }

    public Backend previous() {
        return previous;
    }

    public UUID approvalId() {
        return approvalId;
    }

    public List<String> signedBy() {
        return signedBy;
    }

    public String evidenceDigest() {
        return evidenceDigest;
    }

    public List<Integer> steps() {
        return steps;
    }

    public int stepIndex() {
        return stepIndex;
    }

    public RolloutPhase phase() {
        return phase;
    }

    public Thresholds thresholds() {
        return analysis.thresholds();
    }

    public Analysis analysis() {
        return analysis;
    }

    public Instant intervalStartedAt() {
        return intervalStartedAt;
    }

    public Instant intervalEndsAt() {
        return intervalEndsAt;
    }

    public int consecutivePasses() {
        return consecutivePasses;
    }

    public String lastJudgement() {
        return lastJudgement;
    }

    public List<ForcedAdvance> forcedAdvances() {
        return List.copyOf(forcedAdvances);
    }

    public String reason() {
        return reason;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String createdBy() {
        return createdBy;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }

    /** The rollout's own state, as audit events digest it. */
    Map<String, Object> auditState() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id.toString());
        s.put("deployment", deployment);
        s.put("environment", environment);
        s.put("tier", tier);
        s.put("candidate", candidate.describe());
        s.put("previous", previous == null ? null : previous.describe());
        s.put("approvalId", approvalId == null ? null : approvalId.toString());
        s.put("signedBy", signedBy);
        s.put("evidenceDigest", evidenceDigest);
        s.put("steps", steps);
        s.put("stepIndex", stepIndex);
        s.put("phase", phase.name());
        s.put("analysis", analysis);
        s.put("consecutivePasses", consecutivePasses);
        s.put("forcedAdvances", forcedAdvances.size());
        s.put("reason", reason);
        return s;
    }
}
