package io.qreg.registry.rollout;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.web.ApiException;

/**
 * The canary health a rollout tolerates. {@code qualityProxy} is a 0-1 score the serving side
 * computes (e.g. agreement of the canary's answers with the stable backend's on mirrored traffic).
 */
public record Thresholds(Double maxErrorRate, Double maxP99LatencyMs, Double minQualityProxy) {

    /** One failed request in a hundred, half a second at p99, nine answers in ten agreeing with stable. */
    public static final Thresholds DEFAULTS = new Thresholds(0.01, 500.0, 0.9);

    /** The requested thresholds, each one left out taking its default. */
    static Thresholds withDefaults(Thresholds requested) {
        if (requested == null) {
            return DEFAULTS;
        }
        Thresholds t = new Thresholds(
                requested.maxErrorRate() == null ? DEFAULTS.maxErrorRate() : requested.maxErrorRate(),
                requested.maxP99LatencyMs() == null ? DEFAULTS.maxP99LatencyMs() : requested.maxP99LatencyMs(),
                requested.minQualityProxy() == null ? DEFAULTS.minQualityProxy() : requested.minQualityProxy());
        fraction("thresholds.maxErrorRate", t.maxErrorRate());
        if (t.maxP99LatencyMs().isNaN() || t.maxP99LatencyMs() <= 0) {
            throw ApiException.invalid("thresholds.maxP99LatencyMs", "maxP99LatencyMs must be above 0, got "
                    + t.maxP99LatencyMs());
        }
        fraction("thresholds.minQualityProxy", t.minQualityProxy());
        return t;
    }

    /** A metric of a health report that crossed its threshold. */
    public record Breach(String metric, double value, String threshold, double limit) {

        public String describe() {
            return metric + " " + value + (threshold.startsWith("max") ? " > " : " < ") + threshold + " " + limit;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("metric", metric);
            m.put("value", value);
            m.put("threshold", threshold);
            m.put("limit", limit);
            return m;
        }
    }

    List<Breach> breaches(HealthReport r) {
        List<Breach> breaches = new ArrayList<>();
        if (r.errorRate() != null && r.errorRate() > maxErrorRate) {
            breaches.add(new Breach("errorRate", r.errorRate(), "maxErrorRate", maxErrorRate));
        }
        if (r.p99LatencyMs() != null && r.p99LatencyMs() > maxP99LatencyMs) {
            breaches.add(new Breach("p99LatencyMs", r.p99LatencyMs(), "maxP99LatencyMs", maxP99LatencyMs));
        }
        if (r.qualityProxy() != null && r.qualityProxy() < minQualityProxy) {
            breaches.add(new Breach("qualityProxy", r.qualityProxy(), "minQualityProxy", minQualityProxy));
        }
        return breaches;
    }

    static void fraction(String field, Double value) {
        if (value == null || value.isNaN() || value < 0 || value > 1) {
            throw ApiException.invalid(field, field.substring(field.lastIndexOf('.') + 1)
                    + " is a fraction between 0 and 1, got " + value);
        }
    }
}
