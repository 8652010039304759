package io.qreg.registry.fallback;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import io.qreg.engine.eval.SelectiveRoutingCurve;
import io.qreg.registry.web.ApiException;

import com.fasterxml.jackson.annotation.JsonInclude;

import tools.jackson.databind.JsonNode;

/**
 * Where on a variant's selective-routing curve its fallback should operate, as a deployment tier or a model's policy
 * asks for it: {@code {"recoverDisagreements": 0.9}} (re-send as little as possible while recovering at least 90% of
 * the disagreements with the checkpoint) or {@code {"maxTraffic": 0.05}} (recover as much as possible re-sending at
 * most 5% of the traffic). Exactly one is set.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OperatingPoint(Double recoverDisagreements, Double maxTraffic) {

    public static final String FIELD = "fallback";
    public static final String RECOVER_DISAGREEMENTS = "recoverDisagreements";
    public static final String MAX_TRAFFIC = "maxTraffic";
    private static final List<String> KEYS = List.of(RECOVER_DISAGREEMENTS, MAX_TRAFFIC);

    /**
     * Reads {@code value} strictly, naming {@code field} (e.g. {@code fallback}, {@code tiers[1].fallback}) or its
     * key in a refusal; null or absent is null (none asked for).
     */
    public static OperatingPoint parse(JsonNode value, String field) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        String example = " {\"recoverDisagreements\": 0.9} or {\"maxTraffic\": 0.05}";
        if (!value.isObject()) {
            throw ApiException.invalid(field, field + " is an object with exactly one of" + example + ", got " + value);
        }
        for (String name : value.propertyNames()) {
            if (!KEYS.contains(name)) {
                throw ApiException.invalid(field + "." + name, "unknown field '" + name + "' in " + field
                        + "; it takes exactly one of" + example);
            }
        }
        if (value.size() != 1) {
            throw ApiException.invalid(field, field + " takes exactly one of recoverDisagreements and maxTraffic,"
                    + " got " + value);
        }
        String name = value.propertyNames().iterator().next();
        JsonNode number = value.get(name);
        if (!number.isNumber() || !(number.doubleValue() > 0) || number.doubleValue() > 1) {
            throw ApiException.invalid(field + "." + name, name + " is a share of "
                    + (name.equals(MAX_TRAFFIC) ? "traffic" : "disagreements") + " greater than 0 and at most 1, got "
                    + number);
        }
        return name.equals(MAX_TRAFFIC) ? new OperatingPoint(null, number.doubleValue())
                : new OperatingPoint(number.doubleValue(), null);
    }

    /**
     * The point of the curve this asks for: the lowest threshold recovering at least {@code recoverDisagreements},
     * or the highest re-sending at most {@code maxTraffic}; empty when no point re-sends little enough.
     */
    public Optional<SelectiveRoutingCurve.Point> pick(SelectiveRoutingCurve curve) {
        List<SelectiveRoutingCurve.Point> points = curve.points();
        if (recoverDisagreements != null) {
            return points.stream().filter(p -> p.recovery() >= recoverDisagreements).findFirst();
        }
        SelectiveRoutingCurve.Point best = null;
        for (SelectiveRoutingCurve.Point p : points) {
            if (p.traffic() <= maxTraffic) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }

    /** In words, for the config's reason and the portal: "recover 90% of disagreements", "at most 5% of traffic". */
    public String describe() {
        return recoverDisagreements != null ? "recover " + percent(recoverDisagreements) + " of disagreements"
                : "at most " + percent(maxTraffic) + " of traffic";
    }

    /** 0.9 as "90%", 0.055 as "5.5%" (decimal arithmetic: 0.9 * 100 in binary is 90.00000000000001). */
    private static String percent(double share) {
        return BigDecimal.valueOf(share).movePointRight(2).stripTrailingZeros().toPlainString() + "%";
    }
}
