package io.qreg.registry.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one tier of an environment serves now: its stable backend (from its last completed
 * rollout; null while nothing serves the tier) and the active rollout whose candidate shares the
 * traffic, if any.
 */
public record TierServing(String tier, Backend stable, UUID stableRolloutId, Rollout active) {

    public static final String STABLE = "stable";
    public static final String CANARY = "canary";
    public static final String SHADOW = "shadow";

    /** A backend with its share of the tier's traffic and its role (stable, canary or shadow). */
    public record Weighted(Backend backend, int weight, String role) {
    }

    /** The split, stable first; a shadow candidate has weight 0 and receives mirrored requests. */
    public List<Weighted> backends() {
        List<Weighted> backends = new ArrayList<>(2);
        if (stable == null) {
            return backends;
        }
        int percent = active == null ? 0 : active.percent();
        backends.add(new Weighted(stable, 100 - percent, STABLE));
        if (active != null) {
            backends.add(new Weighted(active.candidate(), percent, percent == 0 ? SHADOW : CANARY));
        }
        return backends;
    }

    /**
     * What the tier serves once {@code moved}, a rollout of this tier, is written: its candidate is the
     * stable backend once it completed, and it is the active rollout while active. Another rollout's
     * canary stays (as when a lapsed stable backend is reverted under it).
     */
    public TierServing after(Rollout moved) {
        boolean completed = moved.phase() == RolloutPhase.COMPLETED;
        Rollout other = active == null || active.id().equals(moved.id()) ? null : active;
        return new TierServing(tier, completed ? moved.candidate() : stable, completed ? moved.id() : stableRolloutId,
                moved.phase().isActive() ? moved : other);
    }

    /** Cluster name to weight, as rollout events report the split. */
    public Map<String, Integer> weights() {
        Map<String, Integer> weights = new LinkedHashMap<>();
        backends().forEach(b -> weights.put(b.backend().cluster(), b.weight()));
        return weights;
    }
}
