package io.qreg.registry.demo;

import static io.qreg.registry.demo.DemoPeople.as;

import java.util.UUID;

import io.qreg.registry.alias.AliasTarget;
import io.qreg.registry.alias.Aliases;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.tag.TagValue;
import io.qreg.registry.variant.VariantLifecycle;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * The demo's aliases and tags on the digits model: {@code champion} is the FP32 checkpoint serving as stable,
 * {@code challenger} the approved variant whose canary is started by naming the alias. Setting an alias where it
 * already points, or a tag to its value, changes nothing, so seeding again adds nothing.
 */
@Component
@RequiredArgsConstructor
class DemoAliases {

    static final String CHAMPION = "champion";
    static final String CHALLENGER = "challenger";

    private final Aliases aliases;
    private final ModelService models;
    private final VariantLifecycle variants;

    void point(UUID stableCheckpoint, UUID challengerVariant) {
        as(DemoData.ENGINEER, () -> {
            aliases.set(DemoData.DIGITS, CHAMPION, new AliasTarget(null, stableCheckpoint));
            aliases.set(DemoData.DIGITS, CHALLENGER, new AliasTarget(challengerVariant, null));
            if (!"demo".equals(models.details(DemoData.DIGITS, aliases).tags().get("team"))) {
                models.putTag(DemoData.DIGITS, "team", new TagValue("demo"));
            }
            if (!"canary".equals(variants.tags(challengerVariant).get("stage"))) {
                variants.putTag(challengerVariant, "stage", new TagValue("canary"));
            }
            return null;
        });
    }
}
