package io.qreg.registry.rollout;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a person can do to an active rollout, each with the word it has in the portal's URLs
 * ({@code /deployments/{name}/rollouts/{id}/{path}}). Which of them a rollout allows now is
 * {@link Rollout#allowedMoves()}'s answer, not the caller's.
 */
public enum RolloutMove {
    ADVANCE("advance"),
    /** An advance past an analysis that has not passed, with a reason kept on the rollout. */
    FORCE_ADVANCE("force-advance"),
    PAUSE("pause"),
    RESUME("resume"),
    ROLLBACK("rollback");

    private final String path;

    RolloutMove(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }

    /** The move a URL names; empty for a word that is none of them. */
    public static Optional<RolloutMove> fromPath(String path) {
        return Arrays.stream(values()).filter(m -> m.path.equals(path)).findFirst();
    }

    /** Both kinds of advance move the rollout to its next step. */
    public boolean advances() {
        return this == ADVANCE || this == FORCE_ADVANCE;
    }
}
