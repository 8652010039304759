package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.qreg.registry.deployment.TierView;
import io.qreg.registry.rollout.Backend;
import io.qreg.registry.rollout.ForcedAdvance;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.RolloutPhase;
import io.qreg.registry.rollout.RolloutView;
import io.qreg.registry.rollout.Thresholds;
import io.qreg.registry.rollout.TierServing;

/**
 * View models of the deployment page and the pure functions that build them (weights as bars,
 * a rollout's steps, its analysis, health against thresholds), so the templates only lay them out
 * and the controller only fetches. The routing revision pages have {@link RoutingRevisionPages}.
 */
public final class DeploymentPages {

    /** Health reports shown per rollout: enough to see a trend, short enough for a tablet. */
    static final int HEALTH_SHOWN = 5;

    private DeploymentPages() {
    }

    // ---------------------------------------------------------------- deployment page

    /** An environment as a tab of the deployment page; {@code rolloutActive} marks where something is moving. */
    public record EnvironmentTab(String name, boolean selected, boolean rolloutActive) {
    }

    /** A backend's share of a tier's traffic, drawn as a bar whose width is {@code weight} percent. */
    public record Bar(String role, String label, String href, String precision, int weight, String cluster) {
    }

    /** A tier with what serves it now and its active rollout, if any. */
    public record TierRow(String name, String match, String precision, boolean edge, boolean isDefault, List<Bar> bars,
            String fallback, RolloutPanel rollout) {

        public boolean served() {
            return !bars.isEmpty();
        }
    }

    /** One step of a rollout: {@code done}, {@code current} or {@code next}. */
    public record Step(int number, int percent, String state) {

        public String label() {
            return percent == 0 ? "shadow" : percent + "%";
        }
    }

    /** A health metric against its threshold; {@code value} is null when the report left it out. */
    public record Metric(String name, String label, Double value, String bound, double limit, boolean breached) {

        public String shownValue() {
            return value == null ? "not reported" : format(name, value);
        }

        public String shownLimit() {
            return bound + " " + format(name, limit);
        }
    }

    /** One health report, newest first. */
    public record HealthRow(Instant reportedAt, String reportedBy, int stepNumber, List<Metric> metrics,
            boolean breached) {
    }

    /** A move an engineer can make now, with what it will do in words (the confirmation's text). */
    public record Move(String action, String label, String consequence) {

        /** A forced advance needs a reason; a rollback may have one. */
        public boolean reasonRequired() {
            return FORCE_ADVANCE.equals(action);
        }
    }

    static final String FORCE_ADVANCE = "force-advance";

    /**
     * The canary analysis of the current step: passes in a row against those needed, whether it has
     * passed, the last interval's judgement, and the steps a person forced past an unfinished analysis.
     */
    public record AnalysisPanel(int intervalSeconds, boolean autoAdvance, int passes, int needed, boolean passed,
            String lastInterval, Instant intervalEndsAt, List<ForcedAdvance> forced) {

        public String lastIntervalShown() {
            return lastInterval == null ? "none judged yet" : lastInterval;
        }
    }

    /** The active rollout of a tier as the deployment page and the confirmation page show it. */
    public record RolloutPanel(UUID id, String deployment, String environment, String tier, RolloutPhase phase,
            String candidate, String candidateHref, String previous, int percent, List<Step> steps,
            List<Metric> thresholds, List<HealthRow> health, UUID approvalId, List<String> signedBy,
            String createdBy, Instant createdAt, Instant updatedAt, List<Move> moves, AnalysisPanel analysis) {

        public Move move(String action) {
            return moves.stream().filter(m -> m.action().equals(action)).findFirst().orElse(null);
        }

        public int stepNumber() {
            return (int) steps.stream().filter(s -> !"next".equals(s.state())).count();
        }
    }

    /** A past or present rollout in the environment's history, with the steps forced past their analysis. */
    public record RolloutRow(UUID id, String tier, String candidate, String candidateHref, RolloutPhase phase,
            int percent, String steps, String createdBy, Instant createdAt, Instant finishedAt, String reason,
            List<ForcedAdvance> forced) {
    }

    /** An APPROVED approval a rollout may cite, as a choice of the start form. */
    public record ApprovalOption(UUID id, UUID variantId, String tier, String label) {
    }

    /** The start-rollout form as typed, with the service's refusal when there was one. */
    public record StartForm(String tier, String variantId, String approvalId, String steps) {

        static final StartForm EMPTY = new StartForm(null, null, null, "5, 25, 100");
    }

    /** The weights after a move, to show on the confirmation page next to the weights now. */
    public record Preview(String summary, List<Bar> after) {
    }

    static String shortId(UUID id) {
        return id.toString().substring(0, 8);
    }

    static String describe(Backend b) {
        return (b.variantBacked() ? "variant " : "checkpoint ") + shortId(b.id()) + " (" + b.precision() + ")";
    }

    static String href(Backend b) {
        return b.variantBacked() ? "/variants/" + b.id() : null;
    }

    static String match(TierView t) {
        if (t.isDefault()) {
            return "all other traffic";
        }
        List<String> parts = new ArrayList<>();
        t.headers().forEach((k, v) -> parts.add(k + ": " + v));
        return String.join(", ", parts);
    }

    static List<Bar> bars(TierServing serving) {
        if (serving == null) {
            return List.of();
        }
        return serving.backends().stream().map(w -> new Bar(w.role(), describe(w.backend()), href(w.backend()),
                w.backend().precision(), w.weight(), w.backend().cluster())).toList();
    }

    /**
     * The backend a gateway re-sends this tier's low-confidence answers to: the most precise stable
     * backend of the environment, when it is more precise than this tier's own (as the routing
     * document's {@code fallback} says; shown here so a person need not read the JSON).
     */
    static String fallback(TierServing tier, java.util.Collection<TierServing> environment) {
        if (tier == null || tier.stable() == null) {
            return null;
        }
        return environment.stream().map(TierServing::stable).filter(Objects::nonNull)
                .max(java.util.Comparator.comparingInt(b -> b.precisionLevel().bits()))
                .filter(best -> best.precisionLevel().bits() > tier.stable().precisionLevel().bits())
                .map(DeploymentPages::describe).orElse(null);
    }

    static List<Step> steps(List<Integer> steps, int index) {
        List<Step> out = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            out.add(new Step(i + 1, steps.get(i), i < index ? "done" : i == index ? "current" : "next"));
        }
        return out;
    }

    static List<Metric> thresholds(Thresholds t) {
        return List.of(new Metric("errorRate", "Error rate", null, "≤", t.maxErrorRate(), false),
                new Metric("p99LatencyMs", "p99 latency", null, "≤", t.maxP99LatencyMs(), false),
                new Metric("qualityProxy", "Quality proxy", null, "≥", t.minQualityProxy(), false));
    }

    static List<HealthRow> health(RolloutView r) {
        Thresholds t = r.thresholds();
        return r.healthReports().stream().limit(HEALTH_SHOWN).map(h -> {
            List<String> breached = h.breaches().stream().map(b -> String.valueOf(b.get("metric"))).toList();
            List<Metric> metrics = List.of(
                    new Metric("errorRate", "Error rate", h.errorRate(), "≤", t.maxErrorRate(),
                            breached.contains("errorRate")),
                    new Metric("p99LatencyMs", "p99 latency", h.p99LatencyMs(), "≤", t.maxP99LatencyMs(),
                            breached.contains("p99LatencyMs")),
                    new Metric("qualityProxy", "Quality proxy", h.qualityProxy(), "≥", t.minQualityProxy(),
                            breached.contains("qualityProxy")));
            return new HealthRow(h.reportedAt(), h.reportedBy(), h.stepIndex() + 1, metrics, !breached.isEmpty());
        }).toList();
    }

    /** The panel of an active rollout; {@code canOperate}: whether to offer the moves at all. */
    static RolloutPanel panel(RolloutView r, Rollout rollout, boolean canOperate) {
        List<Move> moves = new ArrayList<>();
        if (canOperate) {
            String tier = "tier " + r.tier();
            if (r.phase() == RolloutPhase.PROGRESSING && r.stepIndex() + 1 < r.steps().size()) {
                int next = r.steps().get(r.stepIndex() + 1);
                String label = next == 100 ? "Complete (100%)" : "Advance to " + next + "%";
                String consequence = next == 100 ? "The candidate takes all of " + tier + "'s traffic and becomes its"
                        + " stable backend; the rollout completes."
                        : "The candidate gets " + next + "% of " + tier + "'s traffic (now " + r.percent()
                                + "%); the stable backend keeps " + (100 - next) + "%.";
                if (rollout.analysisPassed()) {
                    moves.add(new Move("advance", label, consequence));
                } else {
                    moves.add(new Move(FORCE_ADVANCE, "Force: " + label.substring(0, 1).toLowerCase(
                            java.util.Locale.ROOT) + label.substring(1), "The step's analysis has not passed ("
                            + rollout.analysisMissing() + "). " + consequence + " Your reason is kept in the audit"
                            + " trail and on the rollout."));
                }
                moves.add(new Move("pause", "Pause", "The rollout holds at " + r.percent() + "%: the weights stay as"
                        + " they are and it cannot be advanced until it is resumed."));
            }
            if (r.phase() == RolloutPhase.PAUSED) {
                moves.add(new Move("resume", "Resume", "The rollout may be advanced again; the weights stay at "
                        + r.percent() + "% until then."));
            }
            if (r.phase().isActive()) {
                moves.add(new Move("rollback", "Roll back", "The canary is removed: the stable backend serves all"
                        + " of " + tier + "'s traffic again, exactly as before the rollout."));
            }
        }
        return new RolloutPanel(r.id(), r.deployment(), r.environment(), r.tier(), r.phase(),
                describe(rollout.candidate()), href(rollout.candidate()),
                rollout.previous() == null ? null : describe(rollout.previous()), r.percent(),
                steps(r.steps(), r.stepIndex()), thresholds(r.thresholds()), health(r), r.approvalId(), r.signedBy(),
                r.createdBy(), r.createdAt(), r.updatedAt(), List.copyOf(moves), analysis(rollout));
    }

    static AnalysisPanel analysis(Rollout r) {
        // Passes go on being counted after the analysis has passed; "3 of 2" would read as a mistake.
        return new AnalysisPanel(r.analysis().intervalSeconds(), r.analysis().autoAdvance(),
                Math.min(r.consecutivePasses(), r.analysis().successfulIntervals()),
                r.analysis().successfulIntervals(), r.analysisPassed(), r.lastJudgement(), r.intervalEndsAt(),
                r.forcedAdvances());
    }

    static RolloutRow row(Rollout r) {
        return new RolloutRow(r.id(), r.tier(), describe(r.candidate()), href(r.candidate()), r.phase(), r.percent(),
                String.join(" → ", r.steps().stream().map(s -> s == 0 ? "shadow" : s + "%").toList()), r.createdBy(),
                r.createdAt(), r.finishedAt(), r.reason(), r.forcedAdvances());
    }

    /** The tier's bars once the move is made, for the confirmation page. */
    static Preview preview(String action, TierServing now) {
        Rollout active = now.active();
        Backend stable = now.stable();
        Backend candidate = active.candidate();
        return switch (action) {
            case "advance", FORCE_ADVANCE -> {
                int next = active.steps().get(active.stepIndex() + 1);
                if (next == 100) {
                    yield new Preview("candidate becomes stable", List.of(new Bar(TierServing.STABLE,
                            describe(candidate), href(candidate), candidate.precision(), 100, candidate.cluster())));
                }
                yield new Preview("canary at " + next + "%", List.of(
                        new Bar(TierServing.STABLE, describe(stable), href(stable), stable.precision(), 100 - next,
                                stable.cluster()),
                        new Bar(next == 0 ? TierServing.SHADOW : TierServing.CANARY, describe(candidate),
                                href(candidate), candidate.precision(), next, candidate.cluster())));
            }
            case "rollback" -> new Preview("canary removed", List.of(new Bar(TierServing.STABLE, describe(stable),
                    href(stable), stable.precision(), 100, stable.cluster())));
            default -> new Preview("weights unchanged", bars(now));
        };
    }

    static String format(String metric, double value) {
        return switch (metric) {
            case "errorRate" -> trim(value * 100) + "%";
            case "p99LatencyMs" -> trim(value) + " ms";
            default -> trim(value);
        };
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    // ---------------------------------------------------------------- dashboard

    /**
     * An active rollout as the dashboard's fragment (fragments/rollouts.html) lists it: where it is,
     * its step, and its latest health report against the thresholds (empty until one arrives).
     */
    public record ActiveRollout(UUID id, String deployment, String environment, String tier, RolloutPhase phase,
            int stepNumber, int stepCount, int percent, List<Metric> latestHealth, Instant latestHealthAt,
            Instant updatedAt) {

        public boolean healthy() {
            return latestHealth.stream().noneMatch(Metric::breached);
        }
    }

    /** For the dashboard: {@code view.addAttribute("activeRollouts", DeploymentPages.active(rollouts.active(10)))}. */
    public static List<ActiveRollout> active(List<RolloutView> rollouts) {
        return rollouts.stream().map(r -> {
            List<HealthRow> health = health(r);
            return new ActiveRollout(r.id(), r.deployment(), r.environment(), r.tier(), r.phase(), r.stepIndex() + 1,
                    r.steps().size(), r.percent(), health.isEmpty() ? List.of() : health.get(0).metrics(),
                    health.isEmpty() ? null : health.get(0).reportedAt(), r.updatedAt());
        }).toList();
    }
}
