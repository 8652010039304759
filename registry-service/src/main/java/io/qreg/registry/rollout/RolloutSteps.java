package io.qreg.registry.rollout;

import java.util.List;

import io.qreg.registry.web.ApiException;

/** A rollout's steps: canary percentages from 0 (shadow) up, each above the one before, ending at 100. */
final class RolloutSteps {

    static final List<Integer> DEFAULT_STEPS = List.of(5, 25, 100);
    private static final int MAX_STEPS = 20;

    private RolloutSteps() {
    }

    /** The requested steps, checked; left out: {@link #DEFAULT_STEPS}. */
    static List<Integer> of(List<Integer> requested) {
        List<Integer> steps = requested == null || requested.isEmpty() ? DEFAULT_STEPS : requested;
        if (steps.size() > MAX_STEPS) {
            throw ApiException.invalid("steps", "at most " + MAX_STEPS + " steps, got " + steps.size());
        }
        int previous = -1;
        for (int i = 0; i < steps.size(); i++) {
            Integer s = steps.get(i);
            if (s == null || s < 0 || s > 100 || s <= previous) {
                throw ApiException.invalid("steps", "steps are canary percentages from 0 (shadow) to 100, each"
                        + " above the one before, e.g. [0, 5, 25, 100]; got " + steps);
            }
            previous = s;
        }
        if (previous != 100) {
            throw ApiException.invalid("steps", "the last step must be 100 (the candidate takes all traffic and"
                    + " becomes stable); got " + steps);
        }
        return List.copyOf(steps);
    }
}
