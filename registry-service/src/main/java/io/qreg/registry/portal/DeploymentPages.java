package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.approval.Signoff;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.rollout.Backend;
import io.qreg.registry.rollout.TierServing;

/**
 * View models of the deployment page's tiers and start form and the pure functions that build them
 * (weights as bars, what a tier matches, its fallback), so the templates only lay them out and the
 * controller only fetches. A tier's rollout is {@link RolloutPanels}'; the routing revision pages
 * have {@link RoutingRevisionPages}.
 */
public final class DeploymentPages {

    private DeploymentPages() {
    }

    /** An environment as a tab of the deployment page; {@code rolloutActive} marks where something is moving. */
    public record EnvironmentTab(String name, boolean selected, boolean rolloutActive) {
    }

    /** A backend's share of a tier's traffic, drawn as a bar whose width is {@code weight} percent. */
    public record Bar(String role, String label, String href, String precision, int weight, String cluster) {
    }

    /** A tier with what serves it now and its active rollout, if any. */
    public record TierRow(String name, String match, String precision, boolean edge, boolean isDefault, List<Bar> bars,
            String fallback, RolloutPanels.RolloutPanel rollout) {

        public boolean served() {
            return !bars.isEmpty();
        }

        /**
         * What becomes of the tier's traffic while nothing serves it. Other tiers fall through to the
         * default tier; the default tier is where everything unmatched ends, so it says that instead.
         */
        public String unservedNote() {
            return isDefault ? "Nothing serves this tier yet. As the default tier it takes all traffic no other"
                    + " tier matches, so that traffic has no backend until a rollout serves it."
                    : "Nothing serves this tier yet; its traffic falls through to the default tier.";
        }
    }

    /**
     * An APPROVED approval a rollout may cite, as a choice of the start form: {@code label} short
     * enough to read in the closed select, {@code fullText} (the option's title) with everything.
     */
    public record ApprovalOption(UUID id, UUID variantId, String tier, String label, String fullText) {
    }

    /** The start form's choice for an APPROVED variant approval, labelled by what it lets serve where. */
    static ApprovalOption approvalOption(ApprovalView a, String precisionLabel) {
        List<String> signers = a.signoffs().stream().map(Signoff::username).toList();
        String variant = "variant " + shortId(a.variantId()) + (precisionLabel == null ? "" : " " + precisionLabel);
        String label = variant + " → " + a.tier() + " (approval " + shortId(a.id()) + ")";
        String full = "Approval " + a.id() + ": " + variant + " of " + a.modelName() + " may serve tier " + a.tier()
                + " of " + a.deployment() + " in " + a.environment() + "; signed by " + String.join(", ", signers)
                + (a.expiresAt() == null ? "" : "; expires " + a.expiresAt());
        return new ApprovalOption(a.id(), a.variantId(), a.tier(), label, full);
    }

    /** A variant an APPROVED approval covers, as a choice of the start form: its short id and precision. */
    public record VariantOption(UUID id, String label) {
    }

    /** The start-rollout form as typed, with the service's refusal when there was one. */
    public record StartForm(String tier, String variantId, String approvalId, String steps) {

        static final StartForm EMPTY = new StartForm(null, null, null, "5, 25, 100");
    }

    static String shortId(UUID id) {
        return id.toString().substring(0, 8);
    }

    static String describe(Backend b) {
        return (b.variantBacked() ? "variant " : "checkpoint ") + shortId(b.id()) + " (" + b.precision() + ")";
    }

    static String href(Backend b) {
        return b.variantBacked() ? "/variants/" + b.id() : null;
    }

    static String match(TierView t) {
        if (t.isDefault()) {
            return "all other traffic";
        }
        List<String> parts = new ArrayList<>();
        t.headers().forEach((k, v) -> parts.add(k + ": " + v));
        return String.join(", ", parts);
    }

    static List<Bar> bars(TierServing serving) {
        if (serving == null) {
            return List.of();
        }
        return serving.backends().stream().map(w -> new Bar(w.role(), describe(w.backend()), href(w.backend()),
                w.backend().precision(), w.weight(), w.backend().cluster())).toList();
    }

    /**
     * The backend a gateway re-sends this tier's low-confidence answers to: the most precise stable
     * backend of the environment, when it is more precise than this tier's own (as the routing
     * document's {@code fallback} says; shown here so a person need not read the JSON).
     */
    static String fallback(TierServing tier, java.util.Collection<TierServing> environment) {
        if (tier == null || tier.stable() == null) {
            return null;
        }
        return environment.stream().map(TierServing::stable).filter(Objects::nonNull)
                .max(java.util.Comparator.comparingInt(b -> b.precisionLevel().bits()))
                .filter(best -> best.precisionLevel().bits() > tier.stable().precisionLevel().bits())
                .map(DeploymentPages::describe).orElse(null);
    }
}
