package io.qreg.registry.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import io.qreg.engine.eval.SelectiveRoutingCurve;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.rollout.Backend;
import io.qreg.registry.variant.RoutingCurveEvidence;
import io.qreg.registry.variant.VariantService;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * The threshold part of a rule's {@code fallback}: where on the stable backend's selective-routing curve the tier's
 * operating point (or else the model policy's) lies, so a gateway re-sends an answer to the fallback when the
 * backend's confidence is at or below {@code threshold}. Without a curve or an operating point it says why and gives
 * {@code threshold: null} rather than guessing one (docs/routing.md, "Fallback threshold").
 */
@Component
@RequiredArgsConstructor
class FallbackThresholds {

    static final String FROM_TIER = "tier";
    static final String FROM_POLICY = "policy";

    private final VariantService variants;
    private final PolicyService policies;

    /** The fields to add to the fallback of {@code tier}'s rule, whose stable backend is {@code stable}. */
    Map<String, Object> of(DeploymentView deployment, TierView tier, Backend stable) {
        Map<String, Object> fields = new LinkedHashMap<>();
        OperatingPoint point = tier.fallback();
        String from = FROM_TIER;
        if (point == null) {
            point = policies.effectivePolicy(deployment.modelName()).fallback();
            from = FROM_POLICY;
        }
        if (point == null) {
            return unavailable(fields, "no operating point: set fallback {\"recoverDisagreements\": r} or"
                    + " {\"maxTraffic\": t} on tier '" + tier.name() + "' or on the policy of model '"
                    + deployment.modelName() + "'");
        }
        Map<String, Object> operatingPoint = new LinkedHashMap<>();
        if (point.recoverDisagreements() != null) {
            operatingPoint.put(OperatingPoint.RECOVER_DISAGREEMENTS, point.recoverDisagreements());
        } else {
            operatingPoint.put(OperatingPoint.MAX_TRAFFIC, point.maxTraffic());
        }
        operatingPoint.put("from", from);
        fields.put("operatingPoint", operatingPoint);
        Optional<RoutingCurveEvidence> evidence = stable.variantBacked() ? variants.routingCurve(stable.id())
                : Optional.empty();
        if (evidence.isEmpty()) {
            return unavailable(fields, "no selective-routing curve: the stable backend " + stable.id() + " has no"
                    + " evaluation against its checkpoint with confidence scores (classifiers and language models)");
        }
        SelectiveRoutingCurve curve = evidence.get().curve();
        Optional<SelectiveRoutingCurve.Point> picked = point.pick(curve);
        if (picked.isEmpty()) {
            return unavailable(fields, "no threshold re-sends " + point.describe() + " on the curve of evaluation "
                    + evidence.get().evaluationId());
        }
        fields.put("threshold", picked.get().threshold());
        fields.put("confidence", curve.confidence());
        fields.put("expectedTraffic", picked.get().traffic());
        fields.put("expectedRecovery", picked.get().recovery());
        fields.put("evidence", Map.of("variant", stable.id().toString(), "evaluation",
                evidence.get().evaluationId().toString(), "dataset", evidence.get().dataset()));
        return fields;
    }

    private static Map<String, Object> unavailable(Map<String, Object> fields, String reason) {
        fields.put("threshold", null);
        fields.put("thresholdReason", reason);
        return fields;
    }
}
