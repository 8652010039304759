package io.qreg.registry.rollout;

import java.util.LinkedHashMap;
import java.util.Map;

import io.qreg.registry.web.ApiException;

/**
 * The canary health an analysis interval must show to pass. {@code qualityProxy} is a 0-1 score
 * the serving side computes (e.g. agreement of the canary's answers with the stable backend's on
 * mirrored traffic); {@code minRequests} is how many requests the interval's health reports must
 * stand for before their figures are judged at all (fewer is "not enough data", not a failure).
 */
public record Thresholds(Double maxErrorRate, Double maxP99LatencyMs, Double minQualityProxy, Integer minRequests) {

    /** One failed request in a hundred, half a second at p99, nine answers in ten agreeing with stable. */
    public static final Thresholds DEFAULTS = new Thresholds(0.01, 500.0, 0.9, 1);

    /** The requested thresholds, each one left out taking its default; {@code field} names them in errors. */
    static Thresholds withDefaults(Thresholds requested, String field) {
        if (requested == null) {
            return DEFAULTS;
        }
        Thresholds t = new Thresholds(
                requested.maxErrorRate() == null ? DEFAULTS.maxErrorRate() : requested.maxErrorRate(),
                requested.maxP99LatencyMs() == null ? DEFAULTS.maxP99LatencyMs() : requested.maxP99LatencyMs(),
                requested.minQualityProxy() == null ? DEFAULTS.minQualityProxy() : requested.minQualityProxy(),
                requested.minRequests() == null ? DEFAULTS.minRequests() : requested.minRequests());
        fraction(field + ".maxErrorRate", t.maxErrorRate());
        if (t.maxP99LatencyMs().isNaN() || t.maxP99LatencyMs() <= 0) {
            throw ApiException.invalid(field + ".maxP99LatencyMs", "maxP99LatencyMs must be above 0, got "
                    + t.maxP99LatencyMs());
        }
        fraction(field + ".minQualityProxy", t.minQualityProxy());
        if (t.minRequests() < 1) {
            throw ApiException.invalid(field + ".minRequests", "minRequests must be 1 or more (an interval needs"
                    + " data to pass), got " + t.minRequests());
        }
        return t;
    }

    /** A figure of an interval that crossed its threshold. */
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

    /** The figures of a report (or of an interval's reports combined) that cross a threshold. */
    java.util.List<Breach> breaches(Double errorRate, Double p99LatencyMs, Double qualityProxy) {
        java.util.List<Breach> breaches = new java.util.ArrayList<>();
        if (errorRate != null && errorRate > maxErrorRate) {
            breaches.add(new Breach("errorRate", errorRate, "maxErrorRate", maxErrorRate));
        }
        if (p99LatencyMs != null && p99LatencyMs > maxP99LatencyMs) {
            breaches.add(new Breach("p99LatencyMs", p99LatencyMs, "maxP99LatencyMs", maxP99LatencyMs));
        }
        if (qualityProxy != null && qualityProxy < minQualityProxy) {
            breaches.add(new Breach("qualityProxy", qualityProxy, "minQualityProxy", minQualityProxy));
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
