package io.qreg.registry.rollout;

/** A move the rollout's phase does not allow; the message names the phase the rollout is in. */
public class IllegalRolloutTransitionException extends RuntimeException {

    private final RolloutPhase phase;

    IllegalRolloutTransitionException(RolloutPhase phase, String detail) {
        super(detail);
        this.phase = phase;
    }

    public RolloutPhase phase() {
        return phase;
    }
}
