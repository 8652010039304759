package io.qreg.registry.portal;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.alias.Aliases;
import io.qreg.registry.archive.Archival;
import io.qreg.registry.model.ModelAlias;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.tag.Tags;
import io.qreg.registry.variant.VariantLifecycle;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What the model and variant pages show of a thing's lifecycle: the aliases (a model's, or those pointing at a
 * variant), its tags, and whether it is archived.
 */
@Component
@RequiredArgsConstructor
class LifecyclePages {

    /** One alias as a page links it: to the variant's page, or names the checkpoint. */
    public record AliasRow(String alias, UUID variantId, UUID checkpointId, String target, String updatedBy) {

        static AliasRow of(ModelAlias a) {
            return new AliasRow(a.alias(), a.variantId(), a.checkpointId(), a.variantId() != null
                    ? "variant " + Figures.shortId(a.variantId()) : "checkpoint " + Figures.shortId(a.checkpointId()),
                    a.updatedBy());
        }
    }

    public record Lifecycle(List<AliasRow> aliases, Map<String, String> tags, Archival archival) {
    }

    private final ModelService models;
    private final Aliases aliases;
    private final Tags tags;
    private final VariantLifecycle variants;

    Lifecycle ofModel(String name) {
        ModelView model = models.get(name);
        return new Lifecycle(aliases.aliasesOf(name).stream().map(AliasRow::of).toList(),
                tags.of(TagSubject.MODEL, model.id()), model.archival());
    }

    Lifecycle ofVariant(UUID id) {
        return new Lifecycle(aliases.pointingAtVariant(id).stream().map(AliasRow::of).toList(), variants.tags(id),
                variants.archival(id));
    }
}
