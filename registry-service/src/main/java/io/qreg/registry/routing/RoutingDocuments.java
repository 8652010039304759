package io.qreg.registry.routing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.rollout.Backend;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.TierServing;

/**
 * Renders the routing document ({@code qreg.routing/v1}) of one environment. Rules follow the
 * deployment's tier order with the default tier (match {}) last, so a gateway that takes the first
 * matching rule routes correctly; a tier nothing serves yet has no rule, and its traffic falls
 * through to the default rule.
 */
final class RoutingDocuments {

    static final String SCHEMA_VERSION = "qreg.routing/v1";
    static final String LOW_CONFIDENCE = "low-confidence";

    private RoutingDocuments() {
    }

    /**
     * The part of the document a revision stands for: rules and rollout, without revision and time.
     * {@code thresholds} gives the threshold fields of a tier's fallback for its stable backend.
     */
    static Map<String, Object> routes(DeploymentView d, Map<String, TierServing> serving,
            BiFunction<TierView, Backend, Map<String, Object>> thresholds) {
        Backend mostPrecise = serving.values().stream().map(TierServing::stable)
                .filter(java.util.Objects::nonNull)
                .max(Comparator.comparingInt(b -> b.precisionLevel().bits())).orElse(null);
        List<Map<String, Object>> rules = new ArrayList<>();
        Rollout latest = null;
        for (TierView tier : d.tiers()) {
            TierServing s = serving.get(tier.name());
            if (s == null || s.stable() == null) {
                continue;
            }
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("name", tier.name());
            rule.put("match", tier.isDefault() ? Map.of() : Map.of("headers", tier.headers()));
            rule.put("backends", s.backends().stream().map(RoutingDocuments::backend).toList());
            if (mostPrecise != null && s.stable().precisionLevel().bits() < mostPrecise.precisionLevel().bits()) {
                Map<String, Object> fallback = new LinkedHashMap<>();
                fallback.put("variant", mostPrecise.id().toString());
                fallback.put("source", mostPrecise.source());
                fallback.put("precision", mostPrecise.precision());
                fallback.put("sha256", mostPrecise.sha256());
                fallback.put("cluster", mostPrecise.cluster());
                fallback.put("when", LOW_CONFIDENCE);
                fallback.putAll(thresholds.apply(tier, s.stable()));
                rule.put("fallback", fallback);
            }
            if (tier.edge()) {
                rule.put("edge", true);
            }
            if (s.active() != null) {
                rule.put("rollout", rollout(s.active()));
                if (latest == null || s.active().updatedAt().isAfter(latest.updatedAt())) {
                    latest = s.active();
                }
            }
            rules.add(rule);
        }
        Map<String, Object> routes = new LinkedHashMap<>();
        routes.put("rules", rules);
        routes.put("rollout", latest == null ? null : rollout(latest));
        return routes;
    }

    static Map<String, Object> document(DeploymentView d, String environment, long revision, Instant generatedAt,
            Map<String, Object> routes) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaVersion", SCHEMA_VERSION);
        doc.put("deployment", d.name());
        doc.put("environment", environment);
        doc.put("revision", revision);
        doc.put("generatedAt", generatedAt.toString());
        doc.putAll(routes);
        return doc;
    }

    private static Map<String, Object> backend(TierServing.Weighted w) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("variant", w.backend().id().toString());
        b.put("source", w.backend().source());
        b.put("precision", w.backend().precision());
        b.put("weight", w.weight());
        b.put("role", w.role());
        b.put("sha256", w.backend().sha256());
        b.put("cluster", w.backend().cluster());
        return b;
    }

    private static Map<String, Object> rollout(Rollout r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id().toString());
        m.put("tier", r.tier());
        m.put("phase", r.phase().name());
        m.put("steps", r.steps());
        m.put("stepIndex", r.stepIndex());
        return m;
    }
}
