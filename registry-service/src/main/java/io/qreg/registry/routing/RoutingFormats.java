package io.qreg.registry.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.web.ApiException;

/**
 * The same routes in the shapes gateways load natively, rendered from a stored revision's body.
 * Backends become upstreams named by {@code cluster} ({@code v-<variant id>}, {@code cp-<checkpoint
 * id>}); a shadow backend (weight 0) becomes a request mirror instead of a weighted upstream, so
 * the weights of each route always add up to 100.
 */
final class RoutingFormats {

    static final String QREG = "qreg";
    static final String ENVOY = "envoy";
    static final String GATEWAY_API = "gateway-api";
    /** The port of the Kubernetes Service named after each cluster. */
    static final int SERVICE_PORT = 80;
    /** Per tier: {threshold, confidence, expectedTraffic, expectedRecovery}, or {threshold: null, reason}. */
    static final String THRESHOLDS_ANNOTATION = "qreg.io/low-confidence-thresholds";

    private RoutingFormats() {
    }

    static String normalize(String format) {
        if (format == null || format.isBlank() || format.equals(QREG) || format.equals("json")) {
            return QREG;
        }
        if (format.equals(ENVOY) || format.equals(GATEWAY_API)) {
            return format;
        }
        throw ApiException.invalid("format", "format must be envoy or gateway-api (or left out for the qreg"
                + " routing JSON), got '" + format + "'");
    }

    static String render(String format, String body) {
        Map<String, Object> doc = parse(body);
        return CanonicalJson.write(ENVOY.equals(format) ? envoy(doc) : gatewayApi(doc));
    }

    /** An Envoy v3 RouteConfiguration: one virtual host, one route per rule, first match wins. */
    static Map<String, Object> envoy(Map<String, Object> doc) {
        List<Map<String, Object>> routes = new ArrayList<>();
        for (Map<String, Object> rule : rules(doc)) {
            Map<String, Object> match = new LinkedHashMap<>();
            match.put("prefix", "/");
            List<Map<String, Object>> headers = new ArrayList<>();
            headers(rule).forEach((name, value) -> headers.add(Map.of("name", name,
                    "string_match", Map.of("exact", value))));
            if (!headers.isEmpty()) {
                match.put("headers", headers);
            }
            List<Map<String, Object>> clusters = new ArrayList<>();
            List<Map<String, Object>> mirrors = new ArrayList<>();
            for (Map<String, Object> b : backends(rule)) {
                if ("shadow".equals(b.get("role"))) {
                    mirrors.add(Map.of("cluster", b.get("cluster"), "runtime_fraction",
                            Map.of("default_value", Map.of("numerator", 100, "denominator", "HUNDRED"))));
                } else {
                    clusters.add(Map.of("name", b.get("cluster"), "weight", b.get("weight")));
                }
            }
            Map<String, Object> action = new LinkedHashMap<>();
            action.put("weighted_clusters", Map.of("clusters", clusters));
            if (!mirrors.isEmpty()) {
                action.put("request_mirror_policies", mirrors);
            }
            Map<String, Object> qreg = new LinkedHashMap<>();
            qreg.put("tier", rule.get("name"));
            qreg.put("revision", doc.get("revision"));
            if (rule.get("fallback") instanceof Map<?, ?> fallback) {
                qreg.put("fallback_cluster", fallback.get("cluster"));
                qreg.put("fallback_when", fallback.get("when"));
                // Struct values: a null threshold is null_value, and the reason says why there is none.
                qreg.put("fallback_threshold", fallback.get("threshold"));
                if (fallback.get("threshold") != null) {
                    qreg.put("fallback_confidence", fallback.get("confidence"));
                    qreg.put("fallback_expected_traffic", fallback.get("expectedTraffic"));
                    qreg.put("fallback_expected_recovery", fallback.get("expectedRecovery"));
                } else {
                    qreg.put("fallback_threshold_reason", fallback.get("thresholdReason"));
                }
            }
            Map<String, Object> route = new LinkedHashMap<>();
            route.put("name", rule.get("name"));
            route.put("match", match);
            route.put("route", action);
            route.put("metadata", Map.of("filter_metadata", Map.of(QREG, qreg)));
            routes.add(route);
        }
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("name", doc.get("deployment"));
        host.put("domains", List.of("*"));
        host.put("routes", routes);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("name", doc.get("deployment") + "." + doc.get("environment"));
        config.put("virtual_hosts", List.of(host));
        return config;
    }

    /**
     * A Gateway API HTTPRoute. Rules carry header matches; the implementation ranks a rule with
     * header matches above the default rule, whatever their order. {@code parentRefs} are left to
     * whoever applies it, since which Gateway a route attaches to is the cluster's business.
     */
    static Map<String, Object> gatewayApi(Map<String, Object> doc) {
        List<Map<String, Object>> rules = new ArrayList<>();
        Map<String, Object> fallbacks = new LinkedHashMap<>();
        Map<String, Object> thresholds = new LinkedHashMap<>();
        for (Map<String, Object> rule : rules(doc)) {
            Map<String, Object> match = new LinkedHashMap<>();
            match.put("path", Map.of("type", "PathPrefix", "value", "/"));
            List<Map<String, Object>> headers = new ArrayList<>();
            headers(rule).forEach((name, value) -> headers.add(Map.of("type", "Exact", "name", name,
                    "value", value)));
            if (!headers.isEmpty()) {
                match.put("headers", headers);
            }
            List<Map<String, Object>> refs = new ArrayList<>();
            List<Map<String, Object>> filters = new ArrayList<>();
            for (Map<String, Object> b : backends(rule)) {
                if ("shadow".equals(b.get("role"))) {
                    filters.add(Map.of("type", "RequestMirror", "requestMirror",
                            Map.of("backendRef", Map.of("name", b.get("cluster"), "port", SERVICE_PORT))));
                } else {
                    refs.add(Map.of("name", b.get("cluster"), "port", SERVICE_PORT, "weight", b.get("weight")));
                }
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("matches", List.of(match));
            r.put("backendRefs", refs);
            if (!filters.isEmpty()) {
                r.put("filters", filters);
            }
            rules.add(r);
            if (rule.get("fallback") instanceof Map<?, ?> fallback) {
                fallbacks.put((String) rule.get("name"), fallback.get("cluster"));
                thresholds.put((String) rule.get("name"), threshold(fallback));
            }
        }
        Map<String, Object> annotations = new LinkedHashMap<>();
        annotations.put("qreg.io/revision", String.valueOf(doc.get("revision")));
        if (!fallbacks.isEmpty()) {
            annotations.put("qreg.io/low-confidence-fallbacks", CanonicalJson.write(fallbacks));
            annotations.put(THRESHOLDS_ANNOTATION, CanonicalJson.write(thresholds));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", doc.get("deployment") + "-" + doc.get("environment"));
        metadata.put("labels", Map.of("app.kubernetes.io/managed-by", "qreg",
                "qreg.io/deployment", doc.get("deployment"), "qreg.io/environment", doc.get("environment")));
        metadata.put("annotations", annotations);
        Map<String, Object> route = new LinkedHashMap<>();
        route.put("apiVersion", "gateway.networking.k8s.io/v1");
        route.put("kind", "HTTPRoute");
        route.put("metadata", metadata);
        route.put("spec", Map.of("rules", rules));
        return route;
    }

    /** A fallback's threshold as the Gateway API annotation carries it, per tier. */
    private static Map<String, Object> threshold(Map<?, ?> fallback) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("threshold", fallback.get("threshold"));
        if (fallback.get("threshold") != null) {
            t.put("confidence", fallback.get("confidence"));
            t.put("expectedTraffic", fallback.get("expectedTraffic"));
            t.put("expectedRecovery", fallback.get("expectedRecovery"));
        } else {
            t.put("reason", fallback.get("thresholdReason"));
        }
        return t;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String body) {
        return CanonicalJson.mapper().readValue(body, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Map<String, Object> doc) {
        return (List<Map<String, Object>>) doc.get("rules");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> backends(Map<String, Object> rule) {
        return (List<Map<String, Object>>) rule.get("backends");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> headers(Map<String, Object> rule) {
        Object headers = ((Map<String, Object>) rule.get("match")).get("headers");
        return headers == null ? Map.of() : new java.util.TreeMap<>((Map<String, String>) headers);
    }
}
