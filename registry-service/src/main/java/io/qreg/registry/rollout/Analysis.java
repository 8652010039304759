package io.qreg.registry.rollout;

import io.qreg.registry.web.ApiException;

/**
 * How a rollout's steps are judged: every {@code intervalSeconds} the canary's data of the interval
 * is judged against {@code thresholds}; a step's analysis has passed after {@code successfulIntervals}
 * passing intervals in a row, and then the step advances by itself when {@code autoAdvance}.
 * Left out: 60 s intervals, 2 of them, auto-advance, {@link Thresholds#DEFAULTS}.
 */
public record Analysis(Integer intervalSeconds, Integer successfulIntervals, Boolean autoAdvance,
        Thresholds thresholds) {

    public static final int MAX_INTERVAL_SECONDS = 86_400;
    public static final int MAX_SUCCESSFUL_INTERVALS = 1_000;
    public static final Analysis DEFAULTS = new Analysis(60, 2, true, Thresholds.DEFAULTS);

    /**
     * The requested analysis with defaults filled in. {@code topLevelThresholds} is the rollout
     * request's own {@code thresholds} of clients from before analyses, taken as the analysis's.
     */
    static Analysis withDefaults(Analysis requested, Thresholds topLevelThresholds) {
        if (requested != null && requested.thresholds() != null && topLevelThresholds != null) {
            throw ApiException.invalid("thresholds", "give the thresholds once: as analysis.thresholds (or, for"
                    + " older clients, as the top-level thresholds), not both");
        }
        Thresholds thresholds = topLevelThresholds != null
                ? Thresholds.withDefaults(topLevelThresholds, "thresholds")
                : Thresholds.withDefaults(requested == null ? null : requested.thresholds(), "analysis.thresholds");
        if (requested == null) {
            return new Analysis(DEFAULTS.intervalSeconds(), DEFAULTS.successfulIntervals(), DEFAULTS.autoAdvance(),
                    thresholds);
        }
        int interval = requested.intervalSeconds() == null ? DEFAULTS.intervalSeconds() : requested.intervalSeconds();
        if (interval < 1 || interval > MAX_INTERVAL_SECONDS) {
            throw ApiException.invalid("analysis.intervalSeconds", "intervalSeconds is the length of an analysis"
                    + " interval, 1 to " + MAX_INTERVAL_SECONDS + " seconds; got " + interval);
        }
        int needed = requested.successfulIntervals() == null ? DEFAULTS.successfulIntervals()
                : requested.successfulIntervals();
        if (needed < 1 || needed > MAX_SUCCESSFUL_INTERVALS) {
            throw ApiException.invalid("analysis.successfulIntervals", "successfulIntervals is how many passing"
                    + " intervals in a row each step needs, 1 to " + MAX_SUCCESSFUL_INTERVALS + "; got " + needed);
        }
        boolean auto = requested.autoAdvance() == null ? DEFAULTS.autoAdvance() : requested.autoAdvance();
        return new Analysis(interval, needed, auto, thresholds);
    }
}
