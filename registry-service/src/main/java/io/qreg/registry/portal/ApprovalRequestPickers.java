package io.qreg.registry.portal;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantSummary;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * The approval request form's choices, each narrowed by the one before: model → its variants,
 * model → its deployments → their environments and tiers. The form re-renders with new choices
 * when one changes (htmx, or the "Update choices" button without JavaScript), so what is offered
 * is always the server's answer; {@link #refusal} checks the same pairs again on submit.
 */
@Component
@RequiredArgsConstructor
class ApprovalRequestPickers {

    /** More than a person scrolls through in a select; the newest variants, the first models by name. */
    private static final int MOST_OFFERED = 200;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final ModelService models;
    private final VariantService variants;
    private final CheckpointService checkpoints;
    private final DeploymentService deployments;

    /** The request form's fields as posted or linked (?variantId= preselects the variant and its model). */
    public record RequestForm(String model, String variantId, String deployment, String environment, String tier) {
    }

    /** One option of a select. */
    public record Choice(String value, String label, boolean selected) {
    }

    /** The form as it will be shown (choices resolved) and the options of each select. */
    public record Pickers(RequestForm form, List<Choice> models, List<Choice> variants, List<Choice> deployments,
            List<Choice> environments, List<Choice> tiers) {
    }

    Pickers pickers(RequestForm asked) {
        String model = blank(asked.model()) ? modelOf(asked.variantId()) : asked.model().strip();
        List<Choice> modelChoices = models.search(null, null, null, null, PageRequest.of(0, MOST_OFFERED))
                .getContent().stream().map(ModelView::name).sorted()
                .map(name -> new Choice(name, name, name.equals(model))).toList();
        if (model == null || modelChoices.stream().noneMatch(Choice::selected)) {
            return new Pickers(new RequestForm(null, asked.variantId(), null, null, null), modelChoices, List.of(),
                    List.of(), List.of(), List.of());
        }
        Map<UUID, String> versions = new HashMap<>();
        checkpoints.listForModel(model, PageRequest.of(0, MOST_OFFERED))
                .forEach(c -> versions.put(c.id(), c.version()));
        List<Choice> variantChoices = variants.listForModel(model, PageRequest.of(0, MOST_OFFERED)).getContent()
                .stream().map(v -> new Choice(v.id().toString(), variantLabel(v, versions.get(v.checkpointId())),
                        v.id().toString().equals(strip(asked.variantId())))).toList();
        List<DeploymentView> served = deployments.list(model, PageRequest.of(0, MOST_OFFERED)).getContent();
        DeploymentView deployment = served.stream().filter(d -> d.name().equals(strip(asked.deployment())))
                .findFirst().orElse(served.size() == 1 ? served.get(0) : null);
        List<Choice> deploymentChoices = served.stream().map(d -> new Choice(d.name(), d.name(),
                deployment != null && d.name().equals(deployment.name()))).toList();
        if (deployment == null) {
            return new Pickers(new RequestForm(model, asked.variantId(), null, null, null), modelChoices,
                    variantChoices, deploymentChoices, List.of(), List.of());
        }
        // Immutable lists refuse contains(null), so an environment not asked for is "" here.
        String asking = Objects.requireNonNullElse(strip(asked.environment()), "");
        String environment = deployment.environments().contains(asking) ? asking
                : deployment.environments().contains("production") ? "production" : deployment.environments().get(0);
        String tier = deployment.tiers().stream().map(TierView::name).filter(t -> t.equals(strip(asked.tier())))
                .findFirst().orElse(deployment.tiers().stream().filter(TierView::isDefault).map(TierView::name)
                        .findFirst().orElse(deployment.tiers().get(0).name()));
        return new Pickers(new RequestForm(model, asked.variantId(), deployment.name(), environment, tier),
                modelChoices, variantChoices, deploymentChoices,
                deployment.environments().stream().map(e -> new Choice(e, e + (deployment.approvalRequired(e) ? ""
                        : " (sandbox: rollouts need no approval)"), e.equals(environment))).toList(),
                deployment.tiers().stream().map(t -> new Choice(t.name(), tierLabel(t), t.name().equals(tier)))
                        .toList());
    }

    /**
     * Why the chosen variant or deployment is not of the chosen model, as a refusal naming the field;
     * null when they fit (or no model was chosen: the service still checks variant against deployment).
     * The environment and tier are the service's to check against the deployment.
     */
    ApiException refusal(RequestForm form, UUID variantId) {
        if (blank(form.model())) {
            return null;
        }
        String model = form.model().strip();
        VariantView variant = find(() -> variants.get(variantId));
        if (variant != null && !variant.modelName().equals(model)) {
            return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "variant " + Figures.shortId(variantId)
                    + " is of model '" + variant.modelName() + "', not of '" + model + "'; choose one of " + model
                    + "'s variants", "variantId");
        }
        DeploymentView deployment = blank(form.deployment()) ? null : find(() -> deployments.get(form.deployment()));
        if (deployment != null && !deployment.modelName().equals(model)) {
            return new ApiException(HttpStatus.UNPROCESSABLE_ENTITY, "deployment '" + deployment.name()
                    + "' serves model '" + deployment.modelName() + "', not '" + model + "'; choose one of " + model
                    + "'s deployments", "deployment");
        }
        return null;
    }

    /** "checkpoint 1.0 · int8-dynamic · 2026-12-07 · 0b8c2d3e": what a person tells variants apart by. */
    static String variantLabel(VariantSummary v, String checkpointVersion) {
        return "checkpoint " + Objects.requireNonNullElse(checkpointVersion, "?") + " · " + v.precisionLabel()
                + " · " + DAY.format(v.createdAt()) + " · " + Figures.shortId(v.id());
    }

    private static String tierLabel(TierView t) {
        return t.name() + (t.isDefault() ? " (default: all traffic no other tier matches)" : "")
                + (t.precision() == null ? "" : " · " + t.precision() + " only");
    }

    private String modelOf(String variantId) {
        UUID id = parse(variantId);
        VariantView v = id == null ? null : find(() -> variants.get(id));
        return v == null ? null : v.modelName();
    }

    private static <T> T find(java.util.function.Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ApiException e) {
            return null;
        }
    }

    static UUID parse(String id) {
        try {
            return blank(id) ? null : UUID.fromString(id.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String strip(String s) {
        return s == null ? null : s.strip();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

}
