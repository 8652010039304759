package io.qreg.registry.rollout;

/**
 * The judgement of one analysis interval: its data met every threshold, crossed one (the rollout
 * rolls back), or there was not enough data to judge (no pass, no failure: the passes in a row start over).
 */
public enum IntervalOutcome {
    PASSED, FAILED, NO_DATA
}
