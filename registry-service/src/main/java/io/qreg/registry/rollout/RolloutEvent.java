package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * What happened to a rollout: registered by the {@link Rollout}'s own move, and published after the
 * move's audit record inside the transaction that did it (so listeners that write, like the routing
 * config, commit or roll back with it). {@code weights} is the tier's traffic split afterwards, by
 * cluster name ({@link Backend#cluster()}).
 */
public sealed interface RolloutEvent {

    UUID rolloutId();

    UUID deploymentId();

    String deployment();

    String environment();

    String tier();

    Map<String, Integer> weights();

    Instant at();

    /** A rollout began; {@code stepIndex} and {@code percent} are where the candidate starts. */
    record RolloutStarted(UUID rolloutId, UUID deploymentId, String deployment, String environment, String tier,
            UUID variantId, UUID checkpointId, int stepIndex, int percent, Map<String, Integer> weights,
            Instant at) implements RolloutEvent {
    }

    /** The candidate moved to the next step. */
    record RolloutStepped(UUID rolloutId, UUID deploymentId, String deployment, String environment, String tier,
            int stepIndex, int percent, Map<String, Integer> weights, Instant at) implements RolloutEvent {
    }

    record RolloutPaused(UUID rolloutId, UUID deploymentId, String deployment, String environment, String tier,
            int stepIndex, Map<String, Integer> weights, Instant at) implements RolloutEvent {
    }

    record RolloutResumed(UUID rolloutId, UUID deploymentId, String deployment, String environment, String tier,
            int stepIndex, Map<String, Integer> weights, Instant at) implements RolloutEvent {
    }

    /** The candidate is the tier's stable backend now. */
    record RolloutCompleted(UUID rolloutId, UUID deploymentId, String deployment, String environment, String tier,
            UUID variantId, UUID checkpointId, Map<String, Integer> weights, Instant at) implements RolloutEvent {
    }

    /**
     * The canary is gone and the previous routing restored; {@code automatic} when a health report
     * breached a threshold ({@code breachedMetric} names it), otherwise a person asked.
     */
    record RolloutRolledBack(UUID rolloutId, UUID deploymentId, String deployment, String environment,
            String tier, boolean automatic, String breachedMetric, String reason, Map<String, Integer> weights,
            Instant at) implements RolloutEvent {
    }
}
