package io.qreg.registry.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.dataset.SliceNames;
import io.qreg.registry.policy.Verdict.Check;
import io.qreg.registry.policy.Verdict.EvidenceRef;
import io.qreg.registry.variant.VariantView.EvaluationView;
import io.qreg.registry.web.ApiException;

import tools.jackson.databind.JsonNode;

/**
 * A policy's {@code sliceThresholds}: reading them strictly, and judging each named slice on its own.
 *
 * <p>Policies are set per model, before any dataset of theirs need exist, so a slice name cannot be checked when the
 * policy is set. It is checked when judged instead, and fails closed: a named slice that no evaluated dataset names
 * fails its check with a detail saying so, rather than passing unchecked.
 */
final class SliceChecks {

    static final String FIELD = "sliceThresholds";
    private static final String DROP = SliceThreshold.MAX_ACCURACY_DROP;

    private SliceChecks() {
    }

    /** {@code {"rare-fraud": {"maxAccuracyDrop": 0.005}}}; null or absent is none. Refusals name the field path. */
    static Map<String, SliceThreshold> parse(JsonNode value) {
        Map<String, SliceThreshold> thresholds = new LinkedHashMap<>();
        if (value == null || value.isNull()) {
            return thresholds;
        }
        if (!value.isObject()) {
            throw ApiException.invalid(FIELD, FIELD + " is an object of slice name to thresholds, e.g. {\"rare-fraud\":"
                    + " {\"maxAccuracyDrop\": 0.005}}, got " + value);
        }
        for (String slice : value.propertyNames()) {
            String field = FIELD + "." + slice;
            if (!SliceNames.isName(slice)) {
                throw ApiException.invalid(field, "'" + slice + "' is not a slice name: a slice name has "
                        + SliceNames.NAME_RULE);
            }
            JsonNode own = value.get(slice);
            if (!own.isObject()) {
                throw ApiException.invalid(field, "the thresholds of slice '" + slice + "' are an object with "
                        + DROP + ", got " + own);
            }
            for (String key : own.propertyNames()) {
                if (!DROP.equals(key)) {
                    throw ApiException.invalid(field + "." + key, "unknown per-slice threshold '" + key
                            + "'; a slice takes " + DROP);
                }
            }
            JsonNode drop = own.get(DROP);
            if (drop == null || !drop.isNumber() || !Double.isFinite(drop.doubleValue()) || drop.doubleValue() < 0
                    || drop.doubleValue() > 1) {
                throw ApiException.invalid(field + "." + DROP, DROP + " of slice '" + slice + "' is a fraction"
                        + " between 0 and 1 (0.005 = half a percentage point), got " + drop);
            }
            thresholds.put(slice, new SliceThreshold(drop.doubleValue()));
        }
        return thresholds;
    }

    /** One check per named slice, over the latest evaluation per dataset; the worst dataset decides. */
    static List<Check> judge(Map<String, SliceThreshold> thresholds, List<EvaluationView> latest, String accuracyKey) {
        List<Check> checks = new ArrayList<>();
        thresholds.forEach((slice, t) -> checks.add(judge(slice, t.maxAccuracyDrop(), latest, accuracyKey)));
        return checks;
    }

    private static Check judge(String slice, double threshold, List<EvaluationView> latest, String accuracyKey) {
        String name = FIELD + "." + slice + "." + DROP;
        if (latest.isEmpty()) {
            return new Check(name, null, threshold, null, false, "no evaluation yet", List.of());
        }
        List<EvidenceRef> refs = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        Double worst = null;
        String worstAt = null;
        for (EvaluationView e : latest) {
            String dataset = PolicyEvaluator.dataset(e);
            Map<?, ?> figures = namedSlice(e.slices(), slice, seen, dataset);
            if (figures == null) {
                continue;
            }
            refs.add(EvidenceRef.evaluation(e.id(), dataset));
            Double drop = PolicyEvaluator.negated(PolicyEvaluator.number(figures.get("deltas"), accuracyKey));
            if (drop == null) {
                return new Check(name, null, threshold, null, false, "slice '" + slice + "' of " + dataset
                        + " (evaluation " + e.id() + ") reports no " + accuracyKey + " delta", refs);
            }
            if (worst == null || drop > worst) {
                worst = drop;
                Double samples = PolicyEvaluator.number(figures, "samples");
                worstAt = dataset + (samples == null ? "" : " (" + samples.longValue() + " samples)");
            }
        }
        if (worst == null) {
            // Fail closed: a threshold on a slice nobody measured must not pass unchecked.
            return new Check(name, null, threshold, null, false, "slice '" + slice + "' was not found: no evaluated"
                    + " dataset names a slice '" + slice + "'" + (seen.isEmpty() ? " (none names its slices)"
                    : " (" + String.join("; ", seen) + ")"), List.of());
        }
        return new Check(name, null, threshold, worst, PolicyEvaluator.meets(worst, threshold, true), accuracyKey
                + " drop " + PolicyEvaluator.compared(worst, threshold, true, "") + " on slice '" + slice + "' of "
                + worstAt, refs);
    }

    /** The slice's figures when the evaluation's dataset names it; notes the names a dataset does have. */
    private static Map<?, ?> namedSlice(Object slices, String slice, List<String> seen, String dataset) {
        if (!(slices instanceof Map<?, ?> bySlice)) {
            return null;
        }
        List<String> names = new ArrayList<>();
        for (Object value : bySlice.values()) {
            if (value instanceof Map<?, ?> figures && figures.get("name") instanceof String named) {
                if (named.equals(slice)) {
                    return figures;
                }
                names.add(named);
            }
        }
        if (!names.isEmpty()) {
            seen.add(dataset + " names " + names);
        }
        return null;
    }
}
