package io.qreg.registry.policy;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;

import tools.jackson.databind.node.ObjectNode;

/**
 * The policy form's numeric fields, in the order the page shows them and named as the API names them: what
 * the form shows for a policy, and the form as typed turned into the API's body.
 */
final class PolicyForm {

    private PolicyForm() {
    }

    /** A threshold as a person reads it: what it limits and in which unit, with the API's name beside it. */
    public record ThresholdField(String name, String label, String unit) {
    }

    static final List<ThresholdField> THRESHOLD_FIELDS = List.of(
            new ThresholdField("maxAccuracyDrop", "Largest accuracy drop", "fraction, 0.01 = 1 point"),
            new ThresholdField("maxPerplexityIncreasePct", "Largest perplexity increase", "% of the checkpoint's"),
            new ThresholdField("minTop1Agreement", "Smallest top-1 agreement", "fraction of samples"),
            new ThresholdField("maxWorstSliceAccuracyDrop", "Largest accuracy drop on any slice",
                    "fraction, 0.01 = 1 point"),
            new ThresholdField("maxMeanKld", "Largest mean KL divergence (language models)",
                    "nats, from the checkpoint's next-token distribution"),
            new ThresholdField("maxFlipRate", "Largest flip rate (classification)",
                    "fraction of samples whose class changes"),
            new ThresholdField("minSpeedup", "Smallest speed-up", "× the checkpoint's latency"),
            new ThresholdField("maxP99LatencyMs", "Largest p99 latency", "milliseconds"),
            new ThresholdField("maxMemoryMb", "Largest extra memory", "MB"));

    /**
     * What each field shows: as typed when the form comes back refused, else the policy's current value
     * (empty where it has none).
     */
    static Map<String, String> values(Thresholds t, Map<String, String> typed) {
        List<Double> current = List.of(nullSafe(t.maxAccuracyDrop()), nullSafe(t.maxPerplexityIncreasePct()),
                nullSafe(t.minTop1Agreement()), nullSafe(t.maxWorstSliceAccuracyDrop()), nullSafe(t.maxMeanKld()),
                nullSafe(t.maxFlipRate()), nullSafe(t.minSpeedup()),
                nullSafe(t.maxP99LatencyMs()), nullSafe(t.maxMemoryMb()));
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < THRESHOLD_FIELDS.size(); i++) {
            String name = THRESHOLD_FIELDS.get(i).name();
            values.put(name, typed != null ? typed.getOrDefault(name, "")
                    : Double.isNaN(current.get(i)) ? "" : format(current.get(i)));
        }
        return values;
    }

    /** The form as the JSON body the API takes, so {@link Thresholds#parse} applies the very same rules. */
    static ObjectNode body(Map<String, String> fields, List<String> hardwareTargets) {
        ObjectNode body = CanonicalJson.mapper().createObjectNode();
        for (ThresholdField field : THRESHOLD_FIELDS) {
            String name = field.name();
            String value = Text.blankToNull(fields.get(name));
            if (value == null) {
                continue;
            }
            try {
                body.put(name, Double.parseDouble(value.strip()));
            } catch (NumberFormatException e) {
                throw ApiException.invalid(name, name + " must be a number (or empty: not checked), got '" + value
                        + "'");
            }
        }
        String onLapse = Text.blankToNull(fields.get(LapseAction.FIELD));
        if (onLapse != null) {
            body.put(LapseAction.FIELD, onLapse);
        }
        if (hardwareTargets != null && !hardwareTargets.isEmpty()) {
            var list = body.putArray("hardwareTargets");
            hardwareTargets.forEach(list::add);
        }
        return body;
    }

    private static double nullSafe(Double d) {
        return d == null ? Double.NaN : d;
    }

    /** 0.02 rather than 0.020000000000000000416. */
    private static String format(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
