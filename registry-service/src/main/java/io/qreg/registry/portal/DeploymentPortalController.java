package io.qreg.registry.portal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.DeploymentView;
import io.qreg.registry.deployment.ServingAudit;
import io.qreg.registry.deployment.TierView;
import io.qreg.registry.rollout.Rollout;
import io.qreg.registry.rollout.RolloutMove;
import io.qreg.registry.rollout.RolloutPhase;
import io.qreg.registry.rollout.RolloutRequest;
import io.qreg.registry.rollout.RolloutService;
import io.qreg.registry.rollout.RolloutView;
import io.qreg.registry.rollout.TierServing;
import io.qreg.registry.routing.RoutingService;
import io.qreg.registry.routing.RoutingViews;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.PortalPage;

import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;
import org.springframework.web.util.UriComponentsBuilder;

import lombok.RequiredArgsConstructor;

/**
 * Deployments for people: what serves each tier of each environment, the active rollouts with
 * their moves, and the routing config's revisions with a diff between any two. The moves are POST
 * forms; without {@code confirmed=true} they answer a confirmation page instead of acting, so the
 * confirmation works without JavaScript (deployments.js only shortens it to a dialog). Who may
 * post them is the security chain's decision (ENGINEER), not the hidden buttons'.
 */
@PortalPage
@RequiredArgsConstructor
class DeploymentPortalController {

    private static final int RECENT_ROLLOUTS = 10;
    private static final int REVISIONS_PER_PAGE = 20;
    private static final int APPROVALS_OFFERED = 50;
    private static final int DIFF_CONTEXT = 3;

    private final DeploymentService deployments;
    private final RolloutService rollouts;
    private final RoutingService routing;
    private final ApprovalService approvals;
    private final RoleHierarchy roles;
    private final ServingAudit servingAudit;
    private final VariantService variants;

    // ---------------------------------------------------------------- pages

    /**
     * The precision label of every variant on the page, by the link that names it: those serving a
     * tier (their weight bars) and the candidates of the rollouts shown ({@code candidateHrefs}).
     */
    private Map<String, String> precisionLabels(Collection<TierServing> serving, List<String> candidateHrefs) {
        List<UUID> ids = java.util.stream.Stream.concat(serving.stream().flatMap(s -> s.backends().stream())
                .map(w -> w.backend()).filter(b -> b.variantBacked()).map(b -> b.id()),
                candidateHrefs.stream().filter(h -> h != null && h.startsWith("/variants/"))
                        .map(h -> UUID.fromString(h.substring("/variants/".length())))).distinct().toList();
        Map<String, String> labels = new HashMap<>();
        variants.precisionLabels(ids).forEach((id, label) -> labels.put("/variants/" + id, label));
        return labels;
    }

    @GetMapping("/deployments")
    String list(@RequestParam(required = false) String model, @RequestParam(required = false) Integer page,
            Model view) {
        view.addAttribute("deployments", deployments.list(model, Pagination.of(page, 50, Sort.by("name"))));
        view.addAttribute("model", model);
        view.addAttribute("activeRollouts", RolloutPanels.active(rollouts.active(20)));
        return "deployments/list";
    }

    @GetMapping("/deployments/{name}")
    String deployment(@PathVariable String name, @RequestParam(required = false) String environment,
            Authentication who, Model view) {
        DeploymentView d = deployments.get(name);
        String env = environment(d, environment);
        boolean canOperate = canOperate(who);
        Map<String, TierServing> serving = rollouts.serving(d.id(), env);

        List<DeploymentPages.TierRow> tiers = new ArrayList<>();
        for (TierView t : d.tiers()) {
            TierServing s = serving.get(t.name());
            RolloutPanels.RolloutPanel panel = null;
            if (s != null && s.active() != null) {
                // The service's view carries the health reports; the aggregate the backends' details.
                panel = RolloutPanels.panel(rollouts.get(s.active().id()), s.active(), canOperate);
            }
            tiers.add(new DeploymentPages.TierRow(t.name(), DeploymentPages.match(t), t.precision(), t.edge(),
                    t.isDefault(), DeploymentPages.bars(s), DeploymentPages.fallback(s, serving.values()), panel));
        }
        view.addAttribute("deployment", d);
        view.addAttribute("incidents", servingAudit.servingWithoutValidApproval(d.id()));
        view.addAttribute("environment", env);
        view.addAttribute("tabs", tabs(d, env, serving));
        view.addAttribute("tiers", tiers);
        List<RolloutPanels.RolloutRow> recent = rollouts.recent(d.id(), env, RECENT_ROLLOUTS).stream()
                .map(RolloutPanels::row).toList();
        List<String> candidates = new ArrayList<>(recent.stream().map(RolloutPanels.RolloutRow::candidateHref)
                .toList());
        tiers.stream().map(DeploymentPages.TierRow::rollout).filter(java.util.Objects::nonNull)
                .forEach(panel -> candidates.add(panel.candidateHref()));
        view.addAttribute("precisionLabels", precisionLabels(serving.values(), candidates));
        view.addAttribute("recent", recent);
        view.addAttribute("revision", routing.currentRevision(d.name(), env));
        view.addAttribute("canOperate", canOperate);
        if (canOperate) {
            // Only approvals of this deployment and environment that are APPROVED now can start a rollout.
            // The form starts variant rollouts; checkpoint approvals are used through the API.
            List<ApprovalView> approved = approvals.search("APPROVED", false, null, d.name(), env, null,
                    PageRequest.of(0, APPROVALS_OFFERED)).getContent().stream().filter(a -> a.variantId() != null)
                    .toList();
            Map<UUID, String> labels = variants.precisionLabels(approved.stream().map(ApprovalView::variantId)
                    .distinct().toList());
            view.addAttribute("approvalOptions", approved.stream().map(a ->
                    DeploymentPages.approvalOption(a, labels.get(a.variantId()))).toList());
            view.addAttribute("variantOptions", approved.stream().map(ApprovalView::variantId).distinct()
                    .map(id -> new DeploymentPages.VariantOption(id, DeploymentPages.shortId(id)
                            + (labels.get(id) == null ? "" : " · " + labels.get(id)))).toList());
            if (!view.containsAttribute("startForm")) {
                view.addAttribute("startForm", DeploymentPages.StartForm.EMPTY);
            }
        }
        return "deployments/detail";
    }

    @GetMapping("/deployments/{name}/routing")
    String revisions(@PathVariable String name, @RequestParam(required = false) String environment,
            @RequestParam(required = false) Integer page, Model view) {
        DeploymentView d = deployments.get(name);
        String env = environment(d, environment);
        var listed = routing.revisions(d.name(), env, Pagination.of(page, REVISIONS_PER_PAGE, Sort.unsorted()));
        // Each row says what changed since the revision before it, so the page reads those bodies too.
        Set<Long> wanted = new LinkedHashSet<>();
        listed.forEach(r -> {
            wanted.add(r.revision());
            wanted.add(r.revision() - 1);
        });
        SortedMap<Long, String> bodies = routing.revisionDocuments(d.name(), env, wanted);
        RoutingViews.GatewaysView gateways = routing.gateways(d.name(), env);
        Map<Long, List<String>> ackedAt = new LinkedHashMap<>();
        gateways.gateways().forEach(g -> ackedAt.computeIfAbsent(g.revision(), r -> new ArrayList<>())
                .add(g.gateway()));
        List<RoutingRevisionPages.RevisionRow> rows = listed.getContent().stream().map(r -> new RoutingRevisionPages.RevisionRow(
                r.revision(), r.generatedAt(), r.etag(),
                RoutingRevisionPages.change(bodies.get(r.revision() - 1), bodies.get(r.revision())),
                ackedAt.getOrDefault(r.revision(), List.of()))).toList();
        String current = routing.currentDocument(d.name(), env);
        view.addAttribute("deployment", d);
        view.addAttribute("environment", env);
        view.addAttribute("tabs", tabs(d, env, null));
        view.addAttribute("revisions", listed);
        view.addAttribute("rows", rows);
        view.addAttribute("gateways", gateways);
        view.addAttribute("currentRevision", gateways.currentRevision());
        view.addAttribute("currentPretty", RoutingRevisionPages.pretty(current));
        view.addAttribute("currentCanonical", current);
        return "deployments/routing";
    }

    @GetMapping("/deployments/{name}/routing/diff")
    String diff(@PathVariable String name, @RequestParam(required = false) String environment,
            @RequestParam(required = false) Long from, @RequestParam(required = false) Long to,
            @RequestParam(defaultValue = "false") boolean full, Model view) {
        DeploymentView d = deployments.get(name);
        String env = environment(d, environment);
        long current = routing.currentRevision(d.name(), env);
        long newer = to == null ? current : to;
        long older = from == null ? Math.max(1, newer - 1) : from;
        SortedMap<Long, String> bodies = routing.revisionDocuments(d.name(), env, List.of(older, newer));
        for (long r : List.of(older, newer)) {
            if (!bodies.containsKey(r)) {
                throw new ApiException(HttpStatus.NOT_FOUND, "revision " + r + " of " + d.name() + "/" + env
                        + " does not exist; revisions run from 1 to " + current, r == older ? "from" : "to");
            }
        }
        view.addAttribute("deployment", d);
        view.addAttribute("environment", env);
        view.addAttribute("tabs", tabs(d, env, null));
        view.addAttribute("currentRevision", current);
        view.addAttribute("full", full);
        view.addAttribute("diff", RoutingRevisionPages.diff(older, newer, bodies.get(older), bodies.get(newer),
                full ? Integer.MAX_VALUE / 4 : DIFF_CONTEXT));
        view.addAttribute("change", RoutingRevisionPages.change(bodies.get(older), bodies.get(newer)));
        view.addAttribute("gateways", routing.gateways(d.name(), env));
        return "deployments/diff";
    }

    // ---------------------------------------------------------------- engineer's forms

    @PostMapping("/deployments/{name}/rollouts")
    String start(@PathVariable String name, @RequestParam String environment,
            @RequestParam(required = false) String tier, @RequestParam(required = false) String variantId,
            @RequestParam(required = false) String approvalId, @RequestParam(required = false) String steps,
            RedirectAttributes redirect) {
        DeploymentView d = deployments.get(name);
        String env = d.requireEnvironment(environment);
        var form = new DeploymentPages.StartForm(tier, variantId, approvalId, steps);
        try {
            RolloutView started = rollouts.start(d.name(), new RolloutRequest(uuid("variantId", variantId), null,
                    env, tier, parseSteps(steps), uuid("approvalId", approvalId), null, null));
            redirect.addFlashAttribute("notice", switch (started.phase()) {
                case COMPLETED -> "Tier " + started.tier() + " had nothing serving it, so variant "
                        + DeploymentPages.shortId(started.variantId()) + " took all of its traffic at once.";
                default -> "Rollout started: variant " + DeploymentPages.shortId(started.variantId()) + " serves "
                        + started.percent() + "% of tier " + started.tier() + ".";
            });
        } catch (ApiException e) {
            redirect.addFlashAttribute("problem", e.getMessage());
            redirect.addFlashAttribute("startForm", form);
            return "redirect:" + page(d.name(), env, "start");
        }
        return "redirect:" + page(d.name(), env, "tier-" + tier);
    }

    /**
     * A move of a rollout. Unconfirmed, it answers the confirmation page (what the move will do,
     * the weights now and after) whose own form posts again with {@code confirmed=true}.
     */
    @PostMapping("/deployments/{name}/rollouts/{id}/{action}")
    Object move(@PathVariable String name, @PathVariable UUID id, @PathVariable String action,
            @RequestParam(defaultValue = "false") boolean confirmed, @RequestParam(required = false) String reason,
            Authentication who, Model view, RedirectAttributes redirect) {
        RolloutMove move = RolloutMove.fromPath(action).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                "a rollout can be advanced (or force-advanced), paused, resumed or rolled back; '" + action
                        + "' is none of these"));
        RolloutView r = rollouts.get(id);
        if (!r.deployment().equals(name)) {
            throw ApiException.notFound("rollout", id + " of deployment " + name);
        }
        if (!confirmed) {
            return confirmation(r, move, reason, who, view);
        }
        try {
            RolloutView after = switch (move) {
                case ADVANCE -> rollouts.advance(id, new RolloutService.AdvanceRequest(false, null));
                case FORCE_ADVANCE -> rollouts.advance(id, new RolloutService.AdvanceRequest(true, reason));
                case PAUSE -> rollouts.pause(id);
                case RESUME -> rollouts.resume(id);
                case ROLLBACK -> rollouts.rollBack(id, new RolloutService.RollbackRequest(reason));
            };
            long revision = routing.currentRevision(after.deployment(), after.environment());
            redirect.addFlashAttribute("notice", switch (move) {
                case ADVANCE, FORCE_ADVANCE -> after.phase() == RolloutPhase.COMPLETED
                        ? "Rollout completed: the candidate is now the stable backend of tier " + after.tier() + "."
                        : "Rollout advanced: the candidate serves " + after.percent() + "% of tier " + after.tier()
                                + ".";
                case PAUSE -> "Rollout paused at " + after.percent() + "%.";
                case RESUME -> "Rollout resumed at " + after.percent() + "%.";
                case ROLLBACK -> "Rollout rolled back: the stable backend serves all of tier " + after.tier()
                        + " again.";
            } + " Routing revision " + revision + ".");
        } catch (ApiException e) {
            // The state moved under the person (another engineer, an automatic rollback): say so on the page.
            redirect.addFlashAttribute("problem", e.getMessage());
        }
        return "redirect:" + page(name, r.environment(), "tier-" + r.tier());
    }

    private ModelAndView confirmation(RolloutView r, RolloutMove action, String reason, Authentication who,
            Model view) {
        DeploymentView d = deployments.get(r.deployment());
        Rollout rollout = rollouts.find(r.id()).orElseThrow(() -> ApiException.notFound("rollout", r.id()));
        RolloutPanels.RolloutPanel panel = RolloutPanels.panel(r, rollout, canOperate(who));
        RolloutPanels.Move move = panel.move(action);
        view.addAttribute("deployment", d);
        view.addAttribute("environment", r.environment());
        view.addAttribute("rollout", panel);
        view.addAttribute("action", action.path());
        view.addAttribute("reason", reason);
        if (move == null) {
            // Not a move this rollout can make now (it moved on meanwhile): show why instead of a button.
            boolean waiting = action == RolloutMove.ADVANCE && r.phase() == RolloutPhase.PROGRESSING
                    && !rollout.analysisPassed();
            view.addAttribute("problem", waiting ? "This rollout cannot be advanced yet: " + rollout.analysisMissing()
                    + ". Wait for its analysis, or force the advance with a reason." : "This rollout is " + r.phase()
                    + " at " + r.percent() + "%, so it cannot be "
                    + switch (action) {
                        case ADVANCE, FORCE_ADVANCE -> "advanced";
                        case PAUSE -> "paused";
                        case RESUME -> "resumed";
                        case ROLLBACK -> "rolled back";
                    } + " now.");
            return new ModelAndView("deployments/confirm", view.asMap(), HttpStatus.CONFLICT);
        }
        TierServing now = rollouts.serving(d.id(), r.environment()).get(r.tier());
        view.addAttribute("move", move);
        view.addAttribute("before", DeploymentPages.bars(now));
        view.addAttribute("preview", RolloutPanels.preview(action, now));
        return new ModelAndView("deployments/confirm", view.asMap());
    }

    // ---------------------------------------------------------------- helpers

    /** The environment asked for, or the deployment's first. */
    private static String environment(DeploymentView d, String environment) {
        return environment == null || environment.isBlank() ? d.environments().get(0)
                : d.requireEnvironment(environment);
    }

    private List<DeploymentPages.EnvironmentTab> tabs(DeploymentView d, String selected,
            Map<String, TierServing> selectedServing) {
        List<DeploymentPages.EnvironmentTab> tabs = new ArrayList<>();
        for (String e : d.environments()) {
            Map<String, TierServing> s = e.equals(selected) && selectedServing != null ? selectedServing
                    : rollouts.serving(d.id(), e);
            tabs.add(new DeploymentPages.EnvironmentTab(e, e.equals(selected),
                    s.values().stream().anyMatch(t -> t.active() != null)));
        }
        return tabs;
    }

    /** Whether to offer the engineer's forms; the security chain refuses their POSTs to anyone else. */
    private boolean canOperate(Authentication who) {
        if (who == null) {
            return false;
        }
        return roles.getReachableGrantedAuthorities(who.getAuthorities()).stream()
                .map(GrantedAuthority::getAuthority).anyMatch("ROLE_ENGINEER"::equals);
    }

    private static String page(String deployment, String environment, String anchor) {
        return UriComponentsBuilder.fromPath("/deployments/{name}").queryParam("environment", environment)
                .fragment(anchor).buildAndExpand(deployment).encode().toUriString();
    }

    private static UUID uuid(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(value.trim());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + " must be an id such as 3f2c…-…, got '" + value + "'");
        }
    }

    /** "5, 25, 100" (commas or spaces); blank means the service's default steps. */
    static List<Integer> parseSteps(String steps) {
        if (steps == null || steps.isBlank()) {
            return null;
        }
        List<Integer> parsed = new ArrayList<>();
        for (String part : steps.trim().split("[,\\s]+")) {
            try {
                parsed.add(Integer.valueOf(part.replace("%", "")));
            } catch (NumberFormatException e) {
                throw ApiException.invalid("steps", "steps are percentages separated by commas, such as"
                        + " '5, 25, 100'; '" + part + "' is not a number");
            }
        }
        return parsed;
    }
}
