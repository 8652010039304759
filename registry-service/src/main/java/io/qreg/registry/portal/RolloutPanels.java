package io.qreg.registry.portal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.qreg.registry.rollout.Backend;
import io.qreg.registry.rollout.ForcedAdvance;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.RolloutMove;
import io.qreg.registry.rollout.RolloutPhase;
import io.qreg.registry.rollout.RolloutView;
import io.qreg.registry.rollout.Thresholds;
import io.qreg.registry.rollout.TierServing;

/**
 * View models of a rollout as the deployment page, the confirmation page and the dashboard show
 * it (its steps, analysis, health against thresholds, the moves it allows with what each does),
 * and the pure functions that build them. Which moves a rollout allows is {@link Rollout#allowedMoves()}'s
 * answer; this class only puts them into words. The tiers around it are {@link DeploymentPages}.
 */
public final class RolloutPanels {

    /** Health reports shown per rollout: enough to see a trend, short enough for a tablet. */
    static final int HEALTH_SHOWN = 5;

    private RolloutPanels() {
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
    public record Move(RolloutMove kind, String label, String consequence) {

        /** The move's word in the form's URL. */
        public String action() {
            return kind.path();
        }

        /** A forced advance needs a reason; a rollback may have one. */
        public boolean reasonRequired() {
            return kind == RolloutMove.FORCE_ADVANCE;
        }
    }

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

        public Move move(RolloutMove kind) {
            return moves.stream().filter(m -> m.kind() == kind).findFirst().orElse(null);
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

    /** The weights after a move, to show on the confirmation page next to the weights now. */
    public record Preview(String summary, List<DeploymentPages.Bar> after) {
    }

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
        List<Move> moves = canOperate ? rollout.allowedMoves().stream().map(m -> move(m, rollout)).toList()
                : List.of();
        return new RolloutPanel(r.id(), r.deployment(), r.environment(), r.tier(), r.phase(),
                DeploymentPages.describe(rollout.candidate()), DeploymentPages.href(rollout.candidate()),
                rollout.previous() == null ? null : DeploymentPages.describe(rollout.previous()), r.percent(),
                steps(r.steps(), r.stepIndex()), thresholds(r.thresholds()), health(r), r.approvalId(), r.signedBy(),
                r.createdBy(), r.createdAt(), r.updatedAt(), moves, analysis(rollout));
    }

    /** A move the rollout allows, in words: its button's label and what it will do. */
    static Move move(RolloutMove kind, Rollout r) {
        String tier = "tier " + r.tier();
        return switch (kind) {
            case ADVANCE, FORCE_ADVANCE -> {
                int next = r.nextPercent();
                String label = next == 100 ? "Complete (100%)" : "Advance to " + next + "%";
                String consequence = next == 100 ? "The candidate takes all of " + tier + "'s traffic and becomes its"
                        + " stable backend; the rollout completes."
                        : "The candidate gets " + next + "% of " + tier + "'s traffic (now " + r.percent()
                                + "%); the stable backend keeps " + (100 - next) + "%.";
                yield kind == RolloutMove.ADVANCE ? new Move(kind, label, consequence)
                        : new Move(kind, "Force: " + label.substring(0, 1).toLowerCase(Locale.ROOT)
                                + label.substring(1), "The step's analysis has not passed (" + r.analysisMissing()
                                + "). " + consequence + " Your reason is kept in the audit trail and on the rollout.");
            }
            case PAUSE -> new Move(kind, "Pause", "The rollout holds at " + r.percent() + "%: the weights stay as"
                    + " they are and it cannot be advanced until it is resumed.");
            case RESUME -> new Move(kind, "Resume", "The rollout may be advanced again; the weights stay at "
                    + r.percent() + "% until then.");
            case ROLLBACK -> new Move(kind, "Roll back", "The canary is removed: the stable backend serves all"
                    + " of " + tier + "'s traffic again, exactly as before the rollout.");
        };
    }

    static AnalysisPanel analysis(Rollout r) {
        // Passes go on being counted after the analysis has passed; "3 of 2" would read as a mistake.
        return new AnalysisPanel(r.analysis().intervalSeconds(), r.analysis().autoAdvance(),
                Math.min(r.consecutivePasses(), r.analysis().successfulIntervals()),
                r.analysis().successfulIntervals(), r.analysisPassed(), r.lastJudgement(), r.intervalEndsAt(),
                r.forcedAdvances());
    }

    static RolloutRow row(Rollout r) {
        return new RolloutRow(r.id(), r.tier(), DeploymentPages.describe(r.candidate()),
                DeploymentPages.href(r.candidate()), r.phase(), r.percent(),
                String.join(" → ", r.steps().stream().map(s -> s == 0 ? "shadow" : s + "%").toList()), r.createdBy(),
                r.createdAt(), r.finishedAt(), r.reason(), r.forcedAdvances());
    }

    /** The tier's bars once the move is made, for the confirmation page. */
    static Preview preview(RolloutMove move, TierServing now) {
        Rollout active = now.active();
        Backend stable = now.stable();
        Backend candidate = active.candidate();
        return switch (move) {
            case ADVANCE, FORCE_ADVANCE -> {
                int next = active.nextPercent();
                if (next == 100) {
                    yield new Preview("candidate becomes stable", List.of(bar(TierServing.STABLE, candidate, 100)));
                }
                yield new Preview("canary at " + next + "%", List.of(bar(TierServing.STABLE, stable, 100 - next),
                        bar(next == 0 ? TierServing.SHADOW : TierServing.CANARY, candidate, next)));
            }
            case ROLLBACK -> new Preview("canary removed", List.of(bar(TierServing.STABLE, stable, 100)));
            case PAUSE, RESUME -> new Preview("weights unchanged", DeploymentPages.bars(now));
        };
    }

    private static DeploymentPages.Bar bar(String role, Backend b, int weight) {
        return new DeploymentPages.Bar(role, DeploymentPages.describe(b), DeploymentPages.href(b), b.precision(),
                weight, b.cluster());
    }

    static String format(String metric, double value) {
        return switch (metric) {
            case "errorRate" -> trim(value * 100) + "%";
            case "p99LatencyMs" -> trim(value) + " ms";
            default -> trim(value);
        };
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** For the dashboard: {@code view.addAttribute("activeRollouts", RolloutPanels.active(rollouts.active(10)))}. */
    public static List<ActiveRollout> active(List<RolloutView> rollouts) {
        return rollouts.stream().map(r -> {
            List<HealthRow> health = health(r);
            return new ActiveRollout(r.id(), r.deployment(), r.environment(), r.tier(), r.phase(), r.stepIndex() + 1,
                    r.steps().size(), r.percent(), health.isEmpty() ? List.of() : health.get(0).metrics(),
                    health.isEmpty() ? null : health.get(0).reportedAt(), r.updatedAt());
        }).toList();
    }
}
