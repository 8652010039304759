package io.qreg.registry.policy;

import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.job.HardwareTargetService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.model.RiskTier;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantVerdicts;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.web.ApiException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Acceptance policies and verdicts: a model's effective policy (its own, or its risk tier's
 * defaults), setting and clearing its own, and judging a variant's, or a checkpoint's, evidence
 * against it. Setting or clearing a policy publishes {@link PolicyChanged}, so open approvals are
 * judged again against the policy as it now is.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class PolicyService implements VariantVerdicts {

    private final Policies store;
    private final ModelService models;
    private final VariantService variants;
    private final HardwareTargetService targets;
    private final AuditLog audit;
    private final CheckpointService checkpoints;
    private final ApplicationEventPublisher events;

    @Transactional(readOnly = true)
    public EffectivePolicy effectivePolicy(String modelName) {
        return effective(models.get(modelName));
    }

    /**
     * Replaces the model's thresholds and {@code onLapse} and keeps its fallback operating point: for forms that do
     * not edit the fallback.
     */
    @Transactional
    public EffectivePolicy set(String modelName, Thresholds thresholds, LapseAction onLapse) {
        return set(modelName, thresholds, onLapse, effective(models.get(modelName)).fallback());
    }

    /** Replaces the model's own policy; every threshold left null is not checked, a null fallback asks for none. */
    @Transactional
    public EffectivePolicy set(String modelName, Thresholds thresholds, LapseAction onLapse,
            OperatingPoint fallback) {
        ModelView model = models.get(modelName);
        if (thresholds.hardwareTargets() != null) {
            for (String target : thresholds.hardwareTargets()) {
                if (!targets.exists(target)) {
                    throw ApiException.invalid("hardwareTargets", "hardware target '" + target + "' does not exist;"
                            + " define it with POST /api/v1/hardware-targets or name an existing one");
                }
            }
        }
        EffectivePolicy before = effective(model);
        store.save(model.id(), thresholds, onLapse, fallback, Timestamps.now(), CurrentUser.username());
        EffectivePolicy after = effective(model);
        audit.record("policy.set", "model", model.name(), before, after, Map.of("previousSource", before.source()));
        events.publishEvent(new PolicyChanged(model.name()));
        return after;
    }

    /** Drops the model's own policy, so its risk tier's defaults apply again. */
    @Transactional
    public EffectivePolicy clear(String modelName) {
        ModelView model = models.get(modelName);
        EffectivePolicy before = effective(model);
        if (store.delete(model.id())) {
            audit.record("policy.cleared", "model", model.name(), before, effective(model),
                    Map.of("riskTier", model.riskTier()));
            events.publishEvent(new PolicyChanged(model.name()));
        }
        return effective(model);
    }

    @Transactional(readOnly = true)
    public Verdict verdict(UUID variantId) {
        return verdict(variants.get(variantId));
    }

    /** The verdict of a variant already read, so a caller holding its view does not read it twice. */
    @Transactional(readOnly = true)
    public Verdict verdict(VariantView variant) {
        ModelView model = models.get(variant.modelName());
        return PolicyEvaluator.judge(effective(model), model.task(), variant);
    }

    /**
     * Verdicts of many variants already read (a model page, a dashboard), keyed by variant id: each
     * model's effective policy is read once, not once per variant.
     */
    @Transactional(readOnly = true)
    public Map<UUID, Verdict> verdicts(java.util.Collection<VariantView> variants) {
        Map<String, ModelView> modelsByName = new java.util.HashMap<>();
        Map<String, EffectivePolicy> policies = new java.util.HashMap<>();
        Map<UUID, Verdict> verdicts = new java.util.LinkedHashMap<>();
        for (VariantView variant : variants) {
            ModelView model = modelsByName.computeIfAbsent(variant.modelName(), models::get);
            EffectivePolicy policy = policies.computeIfAbsent(model.name(), name -> effective(model));
            verdicts.put(variant.id(), PolicyEvaluator.judge(policy, model.task(), variant));
        }
        return verdicts;
    }

    /** The evidence a verdict on the variant would rest on now, with its digest. */
    @Transactional(readOnly = true)
    public Evidence evidence(UUID variantId) {
        return PolicyEvaluator.evidence(variants.get(variantId));
    }

    /**
     * The verdict on serving the checkpoint itself (FP32): a graph with inputs and outputs, and at
     * least one evaluation of its own when the policy reads evaluations. A licence that fits the tier
     * is the approval's and the rollout's business, since only they know the tier.
     */
    @Transactional(readOnly = true)
    public Verdict checkpointVerdict(UUID checkpointId) {
        CheckpointView checkpoint = checkpoints.get(checkpointId);
        ModelView model = models.get(checkpoint.modelName());
        return CheckpointEvaluator.judge(effective(model), checkpoint,
                variants.checkpointEvaluations(checkpointId));
    }

    /** The evidence a verdict on the checkpoint would rest on now, with its digest. */
    @Transactional(readOnly = true)
    public Evidence checkpointEvidence(UUID checkpointId) {
        return CheckpointEvaluator.evidence(checkpoints.get(checkpointId),
                variants.checkpointEvaluations(checkpointId));
    }

    @Override
    public Object verdictOf(VariantView variant) {
        return verdict(variant);
    }

    private EffectivePolicy effective(ModelView model) {
        return store.find(model.id())
                .map(own -> new EffectivePolicy(model.name(), model.riskTier(), EffectivePolicy.OWN,
                        own.thresholds(), own.onLapse(), own.fallback(), own.updatedAt(), own.updatedBy()))
                .orElseGet(() -> new EffectivePolicy(model.name(), model.riskTier(), EffectivePolicy.DEFAULT,
                        RiskTierDefaults.of(RiskTier.parse(model.riskTier())), LapseAction.ALERT, null, null, null));
    }
}
