package io.qreg.registry.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.web.ApiException;

import tools.jackson.databind.JsonNode;

/**
 * Acceptance thresholds; a null one is not checked. Accuracy figures are fractions (0.01 = one
 * percentage point), perplexity is a percentage of the checkpoint's, speed-up a ratio to the
 * checkpoint's latency. {@code maxMeanKld} bounds a language model's mean KL divergence from the
 * checkpoint's next-token distribution (nats, the evaluation's {@code meanKld}); {@code maxFlipRate} a
 * classifier's share of samples whose predicted class differs from the checkpoint's (a fraction, the
 * evaluation's {@code flipRate}). {@code hardwareTargets} null means every target the variant was
 * benchmarked on. {@code sliceThresholds}: thresholds per named slice ({@link SliceChecks}), empty for none.
 * {@code minSpeedup} is compared with the speed-up's lower 95 % bound and {@code maxP99LatencyMs} with the p99's
 * upper bound where the benchmark has an interval ({@link BenchmarkBounds}).
 */
public record Thresholds(Double maxAccuracyDrop, Double maxPerplexityIncreasePct, Double minTop1Agreement,
        Double maxWorstSliceAccuracyDrop, Double maxMeanKld, Double maxFlipRate, Double minSpeedup,
        Double maxP99LatencyMs, Double maxMemoryMb, List<String> hardwareTargets,
        Map<String, SliceThreshold> sliceThresholds) {

    static final Thresholds NONE = new Thresholds(null, null, null, null, null, null, null, null, null, null);

    private static final List<String> FIELDS = List.of("maxAccuracyDrop", "maxPerplexityIncreasePct",
            "minTop1Agreement", "maxWorstSliceAccuracyDrop", "maxMeanKld", "maxFlipRate", "minSpeedup",
            "maxP99LatencyMs", "maxMemoryMb", "hardwareTargets");

    public Thresholds {
        hardwareTargets = hardwareTargets == null ? null : List.copyOf(hardwareTargets);
        sliceThresholds = sliceThresholds == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sliceThresholds));
    }

    /** Thresholds without per-slice ones (the risk tiers' defaults name no slices). */
    public Thresholds(Double maxAccuracyDrop, Double maxPerplexityIncreasePct, Double minTop1Agreement,
            Double maxWorstSliceAccuracyDrop, Double maxMeanKld, Double maxFlipRate, Double minSpeedup,
            Double maxP99LatencyMs, Double maxMemoryMb, List<String> hardwareTargets) {
        this(maxAccuracyDrop, maxPerplexityIncreasePct, minTop1Agreement, maxWorstSliceAccuracyDrop, maxMeanKld,
                maxFlipRate, minSpeedup, maxP99LatencyMs, maxMemoryMb, hardwareTargets, Map.of());
    }

    /** These thresholds with other per-slice ones (the portal's form keeps the API-set ones it does not show). */
    public Thresholds withSliceThresholds(Map<String, SliceThreshold> slices) {
        return new Thresholds(maxAccuracyDrop, maxPerplexityIncreasePct, minTop1Agreement, maxWorstSliceAccuracyDrop,
                maxMeanKld, maxFlipRate, minSpeedup, maxP99LatencyMs, maxMemoryMb, hardwareTargets, slices);
    }

    /** Whether any benchmark threshold is set, so benchmarks are needed as evidence. */
    boolean checksBenchmarks() {
        return minSpeedup != null || maxP99LatencyMs != null || maxMemoryMb != null;
    }

    /**
     * Reads a PUT body strictly: an unknown or misspelt field is refused rather than silently left
     * unchecked, since "not checked" is what a missing field means. Public so that the portal's
     * policy form is held to exactly the rules the API is.
     */
    public static Thresholds parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("body", "the policy is a JSON object with any of " + FIELDS
                    + "; a field left out is not checked");
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name) && !LapseAction.FIELD.equals(name) && !SliceChecks.FIELD.equals(name)
                    && !OperatingPoint.FIELD.equals(name)) {
                throw ApiException.invalid(name, "unknown policy field '" + name + "'; a policy has " + FIELDS
                        + ", " + SliceChecks.FIELD + ", " + LapseAction.FIELD + " and " + OperatingPoint.FIELD);
            }
        }
        Map<String, Double> n = new LinkedHashMap<>();
        for (String name : FIELDS.subList(0, FIELDS.size() - 1)) {
            JsonNode value = body.get(name);
            if (value == null || value.isNull()) {
                n.put(name, null);
            } else if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
                throw ApiException.invalid(name, name + " must be a finite number or null (not checked), got "
                        + value);
            } else {
                n.put(name, value.doubleValue());
            }
        }
        fraction(n, "maxAccuracyDrop");
        fraction(n, "minTop1Agreement");
        fraction(n, "maxWorstSliceAccuracyDrop");
        atLeastZero(n, "maxPerplexityIncreasePct");
        atLeastZero(n, "maxMeanKld");
        fraction(n, "maxFlipRate");
        positive(n, "minSpeedup");
        positive(n, "maxP99LatencyMs");
        positive(n, "maxMemoryMb");
        return new Thresholds(n.get("maxAccuracyDrop"), n.get("maxPerplexityIncreasePct"), n.get("minTop1Agreement"),
                n.get("maxWorstSliceAccuracyDrop"), n.get("maxMeanKld"), n.get("maxFlipRate"),
                n.get("minSpeedup"), n.get("maxP99LatencyMs"),
                n.get("maxMemoryMb"), targets(body.get("hardwareTargets")),
                SliceChecks.parse(body.get(SliceChecks.FIELD)));
    }

    private static List<String> targets(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw ApiException.invalid("hardwareTargets", "hardwareTargets is a non-empty list of hardware target"
                    + " names (leave it out to check every target the variant was benchmarked on)");
        }
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode element : value) {
            if (!element.isString() || element.asString().isBlank()) {
                throw ApiException.invalid("hardwareTargets", "hardwareTargets holds names of hardware targets,"
                        + " got " + element);
            }
            if (!names.add(element.asString())) {
                throw ApiException.invalid("hardwareTargets", "hardware target '" + element.asString()
                        + "' is listed twice");
            }
        }
        return new ArrayList<>(names);
    }

    private static void fraction(Map<String, Double> n, String name) {
        Double v = n.get(name);
        if (v != null && (v < 0 || v > 1)) {
            throw ApiException.invalid(name, name + " is a fraction between 0 and 1 (0.01 = one percentage point),"
                    + " got " + v);
        }
    }

    private static void atLeastZero(Map<String, Double> n, String name) {
        Double v = n.get(name);
        if (v != null && v < 0) {
            throw ApiException.invalid(name, name + " must be 0 or more, got " + v);
        }
    }

    private static void positive(Map<String, Double> n, String name) {
        Double v = n.get(name);
        if (v != null && v <= 0) {
            throw ApiException.invalid(name, name + " must be greater than 0, got " + v);
        }
    }
}
