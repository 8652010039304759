package io.qreg.registry.rollout;

import java.util.UUID;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.WeightPrecision;
import io.qreg.registry.alias.Aliases;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.model.ModelAlias;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.variant.VariantLifecycle;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What a rollout request names as its candidate: a {@code variantId}, a {@code checkpointId}, or an {@code alias}
 * of the deployment's model, resolved when the request comes in (what the alias points at later does not move the
 * rollout). The candidate must be active (neither it nor its model archived) and fit the deployment and tier.
 */
@Component
@RequiredArgsConstructor
class RolloutCandidates {

    /** The resolved candidate; {@code alias} is null unless the request named one. */
    record Chosen(Backend candidate, CheckpointView source, String alias, String field) {

        UUID variantId() {
            return candidate.variantBacked() ? candidate.id() : null;
        }

        UUID checkpointId() {
            return candidate.variantBacked() ? null : candidate.id();
        }
    }

    private final VariantService variants;
    private final VariantLifecycle variantLifecycle;
    private final CheckpointService checkpoints;
    private final ModelService models;
    private final Aliases aliases;

    /** Refuses (400 naming {@code variantId}) a request that does not name exactly one candidate. */
    static void requireOneNamed(RolloutRequest r) {
        int named = (r.variantId() == null ? 0 : 1) + (r.checkpointId() == null ? 0 : 1)
                + (r.alias() == null ? 0 : 1);
        if (named != 1) {
            throw ApiException.invalid("variantId", "name exactly one candidate: variantId (a quantized variant),"
                    + " checkpointId (the model's FP32 checkpoint) or alias (an alias of the model, e.g. 'champion')");
        }
    }

    Chosen choose(DeploymentView d, TierView tier, RolloutRequest r) {
        String field = r.alias() != null ? "alias" : r.variantId() != null ? "variantId" : "checkpointId";
        UUID variantId = r.variantId();
        UUID checkpointId = r.checkpointId();
        if (r.alias() != null) {
            ModelAlias alias = aliases.resolve(d.modelName(), r.alias(), "alias");
            variantId = alias.variantId();
            checkpointId = alias.checkpointId();
        }
        Chosen chosen;
        if (variantId != null) {
            UUID id = variantId;
            VariantRef v = ApiException.naming(field, () -> variants.ref(id));
            chosen = new Chosen(Backend.variant(v.id(), WeightPrecision.of(Method.parse(v.method())), v.sha256()),
                    checkpoints.get(v.checkpointId()), r.alias(), field);
        } else {
            UUID id = checkpointId;
            CheckpointView source = ApiException.naming(field, () -> checkpoints.get(id));
            chosen = new Chosen(Backend.checkpoint(source.id(), source.sha256()), source, r.alias(), field);
        }
        requireFits(d, tier, chosen);
        models.requireActive(chosen.source().modelName(), field, "rolled out");
        if (variantId != null) {
            variantLifecycle.requireActive(variantId, field, "rolled out");
        }
        return chosen;
    }

    /** The candidate must be of the deployment's model, of the tier's precision, and shippable to edge devices. */
    private static void requireFits(DeploymentView d, TierView tier, Chosen chosen) {
        Backend candidate = chosen.candidate();
        CheckpointView source = chosen.source();
        String field = chosen.field();
        if (!source.modelName().equals(d.modelName())) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, candidate.source() + " "
                    + candidate.id() + " belongs to model '" + source.modelName() + "', but deployment '" + d.name()
                    + "' serves model '" + d.modelName() + "'", field);
        }
        if (tier.precision() != null && !tier.precision().equals(candidate.precision())) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "tier '" + tier.name()
                    + "' serves " + tier.precision() + ", but " + candidate.source() + " " + candidate.id() + " is "
                    + candidate.precision(), field);
        }
        if (tier.edge() && "internal-only".equals(source.redistribution())) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "tier '" + tier.name()
                    + "' is an edge tier whose weights are distributed to devices, but checkpoint "
                    + source.modelName() + "@" + source.version() + " (licence '" + source.license()
                    + "') is marked redistribution internal-only; serve it from a non-edge tier, or register a"
                    + " checkpoint whose licence allows redistribution", field);
        }
    }
}
