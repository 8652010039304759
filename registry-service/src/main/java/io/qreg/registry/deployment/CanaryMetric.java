package io.qreg.registry.deployment;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.qreg.registry.web.ApiException;

/**
 * A Prometheus query a deployment's canaries are judged by at every analysis interval, with the
 * bound its single result must keep: exactly one of {@code max} and {@code min}. In the query,
 * {@code {{canary}}} and {@code {{stable}}} stand for the two backends' cluster names.
 */
public record CanaryMetric(String name, String query, Double max, Double min) {

    public static final String CANARY = "{{canary}}";
    public static final String STABLE = "{{stable}}";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_.-]{0,62}");
    private static final int MAX_METRICS = 20;
    private static final int MAX_QUERY = 4000;

    /** The query for one canary: the placeholders replaced by cluster names. */
    public String queryFor(String canaryCluster, String stableCluster) {
        return query.replace(CANARY, canaryCluster).replace(STABLE, stableCluster == null ? "" : stableCluster);
    }

    /** Whether {@code value} keeps the bound. */
    public boolean holds(double value) {
        return max != null ? value <= max : value >= min;
    }

    /** {@code max 0.01} or {@code min 0.9}: the bound in words. */
    public String bound() {
        return max != null ? "max " + max : "min " + min;
    }

    /** The requested metrics, checked; a field that is wrong is named as {@code metrics[i].field}. */
    static List<CanaryMetric> validate(List<CanaryMetric> requested) {
        if (requested == null || requested.isEmpty()) {
            return List.of();
        }
        if (requested.size() > MAX_METRICS) {
            throw ApiException.invalid("metrics", "at most " + MAX_METRICS + " metrics, got " + requested.size());
        }
        List<CanaryMetric> metrics = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < requested.size(); i++) {
            String field = "metrics[" + i + "]";
            CanaryMetric m = requested.get(i);
            if (m == null) {
                throw ApiException.invalid(field, field + " is null");
            }
            if (m.name() == null || !NAME.matcher(m.name()).matches()) {
                throw ApiException.invalid(field + ".name", "name must be 1-63 letters, digits, '_', '.' or '-',"
                        + " starting with a letter, e.g. 'error-rate'; got '" + m.name() + "'");
            }
            if (!names.add(m.name())) {
                throw ApiException.invalid(field + ".name", "metric '" + m.name() + "' is listed twice");
            }
            if (m.query() == null || m.query().isBlank() || m.query().length() > MAX_QUERY) {
                throw ApiException.invalid(field + ".query", "query is a PromQL expression of at most " + MAX_QUERY
                        + " characters, e.g. sum(rate(errors_total{cluster=\"{{canary}}\"}[1m]))");
            }
            if (!m.query().contains(CANARY)) {
                throw ApiException.invalid(field + ".query", "query must select the canary with " + CANARY
                        + " (it is replaced by the canary's cluster name, e.g. v-<variant id>)");
            }
            if ((m.max() == null) == (m.min() == null)) {
                throw ApiException.invalid(field + ".max", "give exactly one of max (the result must not be above"
                        + " it) and min (the result must not be below it)");
            }
            Double bound = m.max() != null ? m.max() : m.min();
            if (bound.isNaN() || bound.isInfinite()) {
                throw ApiException.invalid(field + (m.max() != null ? ".max" : ".min"), "the bound must be a"
                        + " finite number, got " + bound);
            }
            metrics.add(new CanaryMetric(m.name(), m.query().trim(), m.max(), m.min()));
        }
        return List.copyOf(metrics);
    }
}
