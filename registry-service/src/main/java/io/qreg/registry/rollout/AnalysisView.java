package io.qreg.registry.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A rollout's analysis as the API shows it: the settings, and where the current step is (its
 * passes in a row against those needed, whether its analysis has passed, the interval being
 * collected, and its judged intervals, newest first).
 */
public record AnalysisView(int intervalSeconds, int successfulIntervals, boolean autoAdvance, Thresholds thresholds,
        Step currentStep) {

    /** The current step's analysis; {@code lastInterval} is the last judgement in words (null before the first). */
    public record Step(int stepIndex, int percent, int consecutivePasses, int needed, boolean passed,
            Instant intervalStartedAt, Instant intervalEndsAt, String lastInterval, List<Interval> intervals) {
    }

    /**
     * One judged interval: its data ({@code reports}, {@code requests} and the combined figures of
     * the health reports, {@code metrics} by name from Prometheus), the outcome and why.
     */
    public record Interval(UUID id, int stepIndex, Instant start, Instant end, IntervalOutcome outcome,
            Map<String, Object> data, List<String> reasons, int consecutivePasses, Instant judgedAt) {
    }

    static AnalysisView of(Rollout r, List<Interval> intervals) {
        Analysis a = r.analysis();
        return new AnalysisView(a.intervalSeconds(), a.successfulIntervals(), a.autoAdvance(), a.thresholds(),
                new Step(r.stepIndex(), r.steps().get(r.stepIndex()), r.consecutivePasses(), a.successfulIntervals(),
                        r.analysisPassed(), r.intervalStartedAt(), r.intervalEndsAt(), r.lastJudgement(), intervals));
    }
}
