package io.qreg.registry.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The judgement of one analysis interval from its data. Pure: the same data and thresholds always
 * give the same judgement.
 *
 * <ul>
 * <li>Health reports are judged when they stand for at least {@code minRequests} requests; fewer
 * (or none) is missing data. When the deployment has Prometheus metrics, reports are optional:
 * the metrics are data enough.</li>
 * <li>Each Prometheus metric is judged against its max or min; a query without a result (or that
 * failed) is missing data.</li>
 * <li>Any threshold crossed: FAILED. Otherwise any data missing: NO_DATA. Otherwise PASSED.</li>
 * </ul>
 */
record IntervalJudgement(IntervalOutcome outcome, List<String> reasons, List<Thresholds.Breach> breaches,
        Map<String, Object> data) {

    /** The interval's health reports combined: request-weighted error rate and quality, the highest p99. */
    record Health(long reports, long requests, Double errorRate, Double p99LatencyMs, Double qualityProxy) {

        static final Health NONE = new Health(0, 0, null, null, null);
    }

    /** A Prometheus metric's value at the interval's end; null with {@code problem} saying why there is none. */
    record Reading(String name, Double value, Double max, Double min, String problem) {
    }

    static IntervalJudgement judge(Thresholds thresholds, Health health, List<Reading> readings) {
        List<Thresholds.Breach> breaches = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        if (health.reports() == 0) {
            if (readings.isEmpty()) {
                missing.add("no health report");
            }
        } else if (health.requests() < thresholds.minRequests()) {
            missing.add("health reports for " + health.requests() + " requests, fewer than minRequests "
                    + thresholds.minRequests());
        } else {
            breaches.addAll(thresholds.breaches(health.errorRate(), health.p99LatencyMs(), health.qualityProxy()));
        }
        Map<String, Object> metrics = new LinkedHashMap<>();
        for (Reading r : readings) {
            metrics.put(r.name(), r.value());
            if (r.value() == null) {
                missing.add("metric " + r.name() + ": " + (r.problem() == null ? "no result" : r.problem()));
            } else if (r.max() != null && r.value() > r.max()) {
                breaches.add(new Thresholds.Breach(r.name(), r.value(), "max", r.max()));
            } else if (r.min() != null && r.value() < r.min()) {
                breaches.add(new Thresholds.Breach(r.name(), r.value(), "min", r.min()));
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("reports", health.reports());
        data.put("requests", health.requests());
        data.put("errorRate", health.errorRate());
        data.put("p99LatencyMs", health.p99LatencyMs());
        data.put("qualityProxy", health.qualityProxy());
        data.put("metrics", metrics);
        List<String> reasons = new ArrayList<>(breaches.stream().map(Thresholds.Breach::describe).toList());
        if (!breaches.isEmpty()) {
            reasons.addAll(missing.stream().map(m -> "no data: " + m).toList());
            return new IntervalJudgement(IntervalOutcome.FAILED, reasons, breaches, data);
        }
        if (!missing.isEmpty()) {
            return new IntervalJudgement(IntervalOutcome.NO_DATA, missing.stream().map(m -> "no data: " + m).toList(),
                    breaches, data);
        }
        return new IntervalJudgement(IntervalOutcome.PASSED, List.of(), breaches, data);
    }

    /** The judgement in a few words, as the rollout and the portal show the last interval. */
    String summary() {
        return switch (outcome) {
            case PASSED -> "passed";
            case NO_DATA -> String.join("; ", reasons);
            case FAILED -> "failed: " + String.join("; ", reasons);
        };
    }
}
