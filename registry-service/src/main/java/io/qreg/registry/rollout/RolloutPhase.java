package io.qreg.registry.rollout;

/** Where a rollout is: moving, held, done (the candidate is stable) or undone. */
public enum RolloutPhase {
    PROGRESSING, PAUSED, COMPLETED, ROLLED_BACK;

    public boolean isActive() {
        return this == PROGRESSING || this == PAUSED;
    }
}
