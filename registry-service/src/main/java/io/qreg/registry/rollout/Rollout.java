package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The rollout aggregate and its phases. The candidate takes {@code steps[stepIndex]} percent of
 * the tier's traffic (0: a shadow that receives mirrored requests only); the last step is 100,
 * where the candidate becomes the tier's stable backend and the rollout is done:
 *
 * <pre>
 * (start, tier has no stable)  -->            COMPLETED at the last step
 * (start)                      -->            PROGRESSING at step 0 (COMPLETED if that step is 100)
 * PROGRESSING --advance-->                    PROGRESSING at the next step, COMPLETED at 100
 * PROGRESSING --pause-->                      PAUSED
 * PAUSED      --resume-->                     PROGRESSING
 * PROGRESSING | PAUSED --rollback-->          ROLLED_BACK (the canary is gone, stable unchanged)
 * </pre>
 */
public class Rollout {

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
    private final Thresholds thresholds;
    private String reason;
    private final Instant createdAt;
    private final String createdBy;
    private Instant updatedAt;
    private Instant finishedAt;

    Rollout(UUID id, UUID deploymentId, String deployment, String environment, String tier, Backend candidate,
            Backend previous, UUID approvalId, List<String> signedBy, String evidenceDigest, List<Integer> steps,
            int stepIndex, RolloutPhase phase, Thresholds thresholds, String reason, Instant createdAt,
            String createdBy, Instant updatedAt, Instant finishedAt) {
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
        this.thresholds = thresholds;
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
            Thresholds thresholds, Instant now, String createdBy) {
        boolean emptyTier = previous == null;
        int index = emptyTier ? steps.size() - 1 : 0;
        RolloutPhase phase = steps.get(index) == 100 ? RolloutPhase.COMPLETED : RolloutPhase.PROGRESSING;
        return new Rollout(UUID.randomUUID(), deploymentId, deployment, environment, tier, candidate, previous,
                approvalId, signedBy, evidenceDigest, steps, index, phase, thresholds,
                emptyTier ? "the tier had no stable backend: the candidate took all traffic at once" : null, now,
                createdBy, now, phase == RolloutPhase.COMPLETED ? now : null);
    }

    void advance(Instant now) {
        require(RolloutPhase.PROGRESSING, "advanced");
        stepIndex++;
        updatedAt = now;
        if (steps.get(stepIndex) == 100) {
            phase = RolloutPhase.COMPLETED;
            finishedAt = now;
        }
    }

    void pause(Instant now) {
        require(RolloutPhase.PROGRESSING, "paused");
        phase = RolloutPhase.PAUSED;
        updatedAt = now;
    }

    void resume(Instant now) {
        require(RolloutPhase.PAUSED, "resumed");
        phase = RolloutPhase.PROGRESSING;
        updatedAt = now;
    }

    void rollBack(String why, Instant now) {
        if (!phase.isActive()) {
            throw new IllegalRolloutTransitionException(phase, "rollout " + id + " is " + phase
                    + " and cannot be rolled back; only PROGRESSING or PAUSED rollouts can"
                    + (phase == RolloutPhase.COMPLETED ? " (to return to the previous backend, start a rollout of it)"
                            : ""));
        }
        phase = RolloutPhase.ROLLED_BACK;
        reason = why;
        updatedAt = now;
        finishedAt = now;
    }

    /** Records the approval as the gate answered for the current step. */
    void approvedBy(List<String> signers, String digest) {
        signedBy = List.copyOf(signers);
        evidenceDigest = digest;
    }

    void requireActive(String action) {
        if (!phase.isActive()) {
            throw new IllegalRolloutTransitionException(phase, "rollout " + id + " is " + phase + " and cannot be "
                    + action + "; that needs PROGRESSING or PAUSED");
        }
    }

    private void require(RolloutPhase expected, String action) {
        if (phase != expected) {
            throw new IllegalRolloutTransitionException(phase, "rollout " + id + " is " + phase
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
        return thresholds;
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
}
