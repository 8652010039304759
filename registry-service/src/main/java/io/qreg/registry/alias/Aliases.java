package io.qreg.registry.alias;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.model.ModelAlias;
import io.qreg.registry.model.ModelAliases;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.VariantLifecycle;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Sets, moves, reads, resolves and deletes model aliases. An alias points at a variant or a checkpoint of its own
 * model that is not archived; every change is audited on the model with where the alias pointed before and after.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class Aliases implements ModelAliases {

    private final AliasAssignments assignments;
    private final ModelService models;
    private final VariantService variants;
    private final VariantLifecycle variantLifecycle;
    private final CheckpointService checkpoints;
    private final AuditLog audit;

    /** Points the alias at the target, creating it or moving it; pointing it where it already points changes nothing. */
    @Transactional
    public ModelAlias set(String modelName, String alias, AliasTarget target) {
        AliasNames.require("alias", alias);
        if (target == null || (target.variantId() == null) == (target.checkpointId() == null)) {
            throw ApiException.invalid("variantId", "name exactly one target: {\"variantId\": \"...\"} (a variant of"
                    + " the model) or {\"checkpointId\": \"...\"} (one of its checkpoints, served unquantized)");
        }
        ModelView model = models.get(modelName);
        models.requireActive(modelName, "name", "given aliases");
        requireTargetOf(model, target);
        // One writer per alias, so "created" and "moved" are told apart truthfully in the audit trail.
        assignments.lock(model.id(), alias);
        ModelAlias before = assignments.find(model.id(), model.name(), alias);
        if (before != null && Objects.equals(before.variantId(), target.variantId())
                && Objects.equals(before.checkpointId(), target.checkpointId())) {
            return before;
        }
        assignments.upsert(model.id(), alias, target.variantId(), target.checkpointId(), Timestamps.now(),
                CurrentUser.username());
        ModelAlias after = assignments.find(model.id(), model.name(), alias);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("alias", alias);
        details.put("to", describe(after));
        if (before != null) {
            details.put("from", describe(before));
        }
        audit.record(before == null ? "alias.created" : "alias.moved", "model", model.name(), before, after, details);
        return after;
    }

    @Transactional(readOnly = true)
    public ModelAlias get(String modelName, String alias) {
        return resolve(modelName, alias, "alias");
    }

    /**
     * The alias as it points now, for a request that names it in place of an id; 404 naming {@code field} when the
     * model has no such alias.
     */
    @Transactional(readOnly = true)
    public ModelAlias resolve(String modelName, String alias, String field) {
        AliasNames.require(field, alias);
        ModelView model = models.get(modelName);
        ModelAlias found = assignments.find(model.id(), model.name(), alias);
        if (found == null) {
            throw new ApiException(HttpStatus.NOT_FOUND, "model '" + model.name() + "' has no alias '" + alias
                    + "'; it has " + aliasesOf(model.name()).stream().map(ModelAlias::alias).toList(), field);
        }
        return found;
    }

    @Transactional
    public void delete(String modelName, String alias) {
        ModelAlias before = resolve(modelName, alias, "alias");
        assignments.delete(models.get(modelName).id(), alias);
        audit.record("alias.deleted", "model", before.modelName(), before, null,
                Map.of("alias", alias, "from", describe(before)));
    }

    @Override
    @Transactional(readOnly = true)
    public List<ModelAlias> aliasesOf(String modelName) {
        ModelView model = models.get(modelName);
        return assignments.ofModel(model.id(), model.name());
    }

    /** The aliases pointing at the variant (for its page). */
    @Transactional(readOnly = true)
    public List<ModelAlias> pointingAtVariant(UUID variantId) {
        return assignments.pointingAtVariant(variantId, models::nameOf);
    }

    private void requireTargetOf(ModelView model, AliasTarget target) {
        if (target.variantId() != null) {
            VariantRef variant = ApiException.naming("variantId", () -> variants.ref(target.variantId()));
            String owner = checkpoints.get(variant.checkpointId()).modelName();
            if (!owner.equals(model.name())) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "variant " + variant.id() + " is of model '"
                        + owner + "', not '" + model.name() + "'; an alias points within its own model", "variantId");
            }
            variantLifecycle.requireActive(variant.id(), "variantId", "given an alias");
        } else {
            CheckpointView checkpoint = ApiException.naming("checkpointId", () -> checkpoints.get(target.checkpointId()));
            if (!checkpoint.modelName().equals(model.name())) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "checkpoint " + checkpoint.id()
                        + " is of model '" + checkpoint.modelName() + "', not '" + model.name()
                        + "'; an alias points within its own model", "checkpointId");
            }
        }
    }

    private static String describe(ModelAlias a) {
        return a.variantId() != null ? "variant " + a.variantId() : "checkpoint " + a.checkpointId();
    }
}
