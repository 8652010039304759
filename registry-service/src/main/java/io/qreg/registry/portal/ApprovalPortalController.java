package io.qreg.registry.portal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.approval.ApprovalService;
import io.qreg.registry.approval.ApprovalStatus;
import io.qreg.registry.approval.ApprovalView;
import io.qreg.registry.approval.IneligibleSigner;
import io.qreg.registry.approval.Signoff;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.policy.Verdict;
import io.qreg.registry.portal.ApprovalRequestPickers.RequestForm;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.security.Role;
import io.qreg.registry.support.ByteSizes;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.variant.VariantView;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.PortalPage;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import lombok.RequiredArgsConstructor;

/**
 * Approvals for people: the inbox, a request's evidence and verdict beside the sign-off form, and
 * the engineer's request form. Every decision is {@link ApprovalService}'s; this controller only
 * decides what to show. Who may POST is decided twice: by the portal security chain (roles) and by
 * the service (separation of duties, state), so a form posted without its button is still refused.
 */
@PortalPage
@RequiredArgsConstructor
class ApprovalPortalController {

    /** The inbox's short lists; the full, filterable list below them pages. */
    private static final int SHORT_LIST = 20;

    private final ApprovalService approvals;
    private final PolicyService policies;
    private final VariantService variants;
    private final CheckpointService checkpoints;
    private final ApprovalRequestPickers pickers;

    /** The list's filter as the form posts it; blank fields do not narrow. */
    public record InboxFilter(String status, String deployment, String environment, String tier) {

        public boolean narrows() {
            return !blank(status) || !blank(deployment) || !blank(environment) || !blank(tier);
        }
    }

    /** What the service said when it refused a form: the problem detail, and the field to blame if one is. */
    public record Problem(int status, String detail, String field) {

        static Problem of(ApiException e) {
            return new Problem(e.status().value(), e.getMessage(), e.field());
        }
    }

    /**
     * What the approval lets serve, as the page shows it: a variant, or the model's checkpoint served
     * unquantized ({@code recipe} null, as a checkpoint is not made by one).
     */
    public record SubjectFacts(String kind, UUID id, String href, String modelName, String precisionLabel,
            String size, String recipe, String calibration) {

        static SubjectFacts of(VariantView v) {
            Map<?, ?> recipe = v.lineage().get("recipe") instanceof Map<?, ?> m ? m : Map.of();
            Map<?, ?> calibration = v.lineage().get("calibrationDataset") instanceof Map<?, ?> m ? m : null;
            return new SubjectFacts("variant", v.id(), "/variants/" + v.id(), v.modelName(), v.precisionLabel(),
                    ByteSizes.human(v.sizeBytes()), recipe.get("name") + " v" + recipe.get("version"),
                    calibration == null ? null : calibration.get("name") + " v" + calibration.get("version"));
        }

        static SubjectFacts of(CheckpointView c) {
            return new SubjectFacts("checkpoint", c.id(), "/models/" + c.modelName(), c.modelName(),
                    "fp32, version " + c.version(), c.sizeHuman(), null, null);
        }
    }

    /**
     * What the signed-in person may do on this request, and if nothing, why. It mirrors the
     * domain's rules only to decide which buttons to draw; the service judges every POST again.
     */
    public record Standing(boolean canApprove, boolean canReject, String reason) {

        public boolean canSign() {
            return canApprove || canReject;
        }

        static Standing none(String reason) {
            return new Standing(false, false, reason);
        }

        static Standing of(ApprovalView a, String username, Set<Role> roles) {
            if (a.status() != ApprovalStatus.PENDING) {
                return none("This request is " + a.status() + "; only PENDING requests are signed.");
            }
            if (!roles.contains(Role.APPROVER) && !roles.contains(Role.RISK_OFFICER)) {
                return none("Signing off needs the APPROVER or RISK_OFFICER role.");
            }
            Optional<IneligibleSigner> barred = a.ineligibleSigners().stream()
                    .filter(i -> i.username().equals(username)).findFirst();
            if (barred.isPresent()) {
                return none("Separation of duties: you " + barred.get().reason() + ", so you cannot sign it.");
            }
            Optional<Signoff> signed = a.signoffs().stream().filter(s -> s.username().equals(username)).findFirst();
            if (signed.isPresent()) {
                return none("You have signed this request (" + signed.get().decision() + "); each person signs"
                        + " once.");
            }
            List<ApprovalView.Requirement> theirs = a.requiredSignoffs().stream()
                    .filter(r -> roles.contains(Role.valueOf(r.role()))).toList();
            if (theirs.isEmpty()) {
                return none("This request needs sign-offs from " + a.requiredSignoffs().stream()
                        .map(ApprovalView.Requirement::role).toList() + "; your roles are not among them.");
            }
            boolean open = theirs.stream().anyMatch(r -> r.remaining() > 0);
            return new Standing(open, true, open ? null
                    : "The sign-offs your role gives are complete; you may still reject the request.");
        }
    }

    /**
     * Everything the request page shows. {@code verdict} is the variant's verdict now, beside the bound
     * evidence; {@code verification} the engine's own check of the written model (SQNR), null if none.
     */
    public record ApprovalPage(ApprovalView approval, SubjectFacts variant, Verdict verdict,
            boolean sameEvidence, List<ApprovalEvidence.EvidenceResult> results, String verification,
            Standing standing) {
    }

    // ---------------------------------------------------------------- inbox

    @GetMapping("/approvals")
    String inbox(@RequestParam(required = false) String status, @RequestParam(required = false) String deployment,
            @RequestParam(required = false) String environment, @RequestParam(required = false) String tier,
            @RequestParam(required = false) Integer page, Model view) {
        String me = CurrentUser.username();
        Set<Role> roles = CurrentUser.roles();
        boolean signer = roles.contains(Role.APPROVER) || roles.contains(Role.RISK_OFFICER);
        InboxFilter filter = new InboxFilter(status, deployment, environment, tier);
        Sort newest = Sort.by(Sort.Direction.DESC, "requestedAt");
        view.addAttribute("signer", signer);
        view.addAttribute("awaiting", signer
                ? approvals.search(null, true, null, null, null, null, PageRequest.of(0, SHORT_LIST, newest))
                : Page.empty());
        view.addAttribute("requested", approvals.search(null, false, null, null, null, null, me,
                PageRequest.of(0, SHORT_LIST, newest)));
        view.addAttribute("filter", filter);
        view.addAttribute("statuses", ApprovalStatus.values());
        try {
            view.addAttribute("all", approvals.search(status, false, null, deployment, environment, tier,
                    Pagination.of(page, SHORT_LIST, newest)));
        } catch (ApiException e) {
            // A filter the service refuses (a hand-edited status) shows as a message, not an error page.
            view.addAttribute("filterProblem", Problem.of(e));
            view.addAttribute("all", Page.empty());
        }
        return "approvals/inbox";
    }

    // ---------------------------------------------------------------- request

    /** The form; the variant page links here with {@code ?variantId=}, which also picks its model. */
    @GetMapping("/approvals/new")
    String requestForm(@RequestParam(required = false) String model, @RequestParam(required = false) String variantId,
            @RequestParam(required = false) String deployment, @RequestParam(required = false) String environment,
            @RequestParam(required = false) String tier, Model view) {
        return requestPage(new RequestForm(model, variantId, deployment, environment, tier), null, view);
    }

    /**
     * Requests the approval, or with {@code refresh=true} (a choice changed: htmx on change, or the
     * "Update choices" button without JavaScript) answers the form again with the choices that follow,
     * requesting nothing.
     */
    @PostMapping("/approvals")
    ModelAndView request(@RequestParam(required = false) String model,
            @RequestParam(required = false) String variantId, @RequestParam(required = false) String deployment,
            @RequestParam(required = false) String environment, @RequestParam(required = false) String tier,
            @RequestParam(defaultValue = "false") boolean refresh, Model view, RedirectAttributes redirect) {
        RequestForm form = new RequestForm(model, variantId, deployment, environment, tier);
        if (refresh) {
            return new ModelAndView(requestPage(form, null, view), view.asMap());
        }
        try {
            UUID variant = parseVariantId(variantId);
            ApiException misfit = pickers.refusal(form, variant);
            if (misfit != null) {
                throw misfit;
            }
            ApprovalView opened = approvals.request(new ApprovalService.NewApproval(variant, null, deployment, environment,
                    tier, null, null));
            redirect.addFlashAttribute("notice", "Approval requested. It needs the sign-offs listed below.");
            return new ModelAndView("redirect:/approvals/" + opened.id());
        } catch (ApiException e) {
            // The form again with the service's reason (a failing verdict names its checks), under its status.
            return new ModelAndView(requestPage(form, Problem.of(e), view), view.asMap(), e.status());
        }
    }

    private String requestPage(RequestForm asked, Problem problem, Model view) {
        ApprovalRequestPickers.Pickers choices = pickers.pickers(asked);
        RequestForm form = choices.form();
        view.addAttribute("form", form);
        view.addAttribute("pickers", choices);
        view.addAttribute("problem", problem);
        UUID id = tryParse(form.variantId());
        if (id != null) {
            try {
                VariantView variant = variants.get(id);
                view.addAttribute("variant", SubjectFacts.of(variant));
                view.addAttribute("verdict", policies.verdict(variant));
            } catch (ApiException e) {
                if (problem == null) {
                    view.addAttribute("problem", new Problem(e.status().value(), e.getMessage(), "variantId"));
                }
            }
        }
        return "approvals/request";
    }

    // ---------------------------------------------------------------- one request and its sign-offs

    @GetMapping("/approvals/{id}")
    String approval(@PathVariable String id, Model view) {
        view.addAttribute("page", page(approvals.get(parseApprovalId(id))));
        return "approvals/detail";
    }

    @PostMapping("/approvals/{id}/signoffs")
    ModelAndView sign(@PathVariable String id, @RequestParam(required = false) String decision,
            @RequestParam(required = false) String comment, Model view, RedirectAttributes redirect) {
        UUID approvalId = parseApprovalId(id);
        try {
            ApprovalView signed = approvals.sign(approvalId, new ApprovalService.NewSignoff(decision, comment));
            redirect.addFlashAttribute("notice", switch (signed.status()) {
                case APPROVED -> "Approved. Every required sign-off is in.";
                case REJECTED -> "Rejected. The requester sees your comment.";
                default -> "Your approval is recorded; other sign-offs are still required.";
            });
            return new ModelAndView("redirect:/approvals/" + approvalId);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.FORBIDDEN || e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            // A missing comment or a request that moved on: the page again, the reason beside the form.
            view.addAttribute("page", page(approvals.get(approvalId)));
            view.addAttribute("problem", Problem.of(e));
            view.addAttribute("comment", comment);
            return new ModelAndView("approvals/detail", view.asMap(), e.status());
        }
    }

    private ApprovalPage page(ApprovalView a) {
        if (a.checkpointId() != null) {
            CheckpointView checkpoint = checkpoints.get(a.checkpointId());
            Verdict verdict = policies.checkpointVerdict(checkpoint.id());
            List<ApprovalEvidence.EvidenceResult> results = ApprovalEvidence.ofCheckpoint(a, checkpoint.id(),
                    variants.checkpointEvaluations(checkpoint.id()), verdict);
            return new ApprovalPage(a, SubjectFacts.of(checkpoint), verdict,
                    verdict.evidence().digest().equals(a.evidenceDigest()), results, null,
                    Standing.of(a, CurrentUser.username(), CurrentUser.roles()));
        }
        VariantView variant = variants.get(a.variantId());
        Verdict verdict = policies.verdict(variant);
        return new ApprovalPage(a, SubjectFacts.of(variant), verdict,
                verdict.evidence().digest().equals(a.evidenceDigest()), ApprovalEvidence.ofVariant(a, variant, verdict),
                VariantFigures.verification(variant), Standing.of(a, CurrentUser.username(), CurrentUser.roles()));
    }

    private static UUID parseApprovalId(String id) {
        UUID parsed = tryParse(id);
        if (parsed == null) {
            throw ApiException.notFound("approval", id);
        }
        return parsed;
    }

    private static UUID parseVariantId(String id) {
        if (blank(id)) {
            throw ApiException.invalid("variantId", "variant is required: choose one of the model's variants");
        }
        UUID parsed = tryParse(id);
        if (parsed == null) {
            throw ApiException.invalid("variantId", "'" + id.strip() + "' is not a variant id; choose one of the"
                    + " model's variants");
        }
        return parsed;
    }

    private static UUID tryParse(String id) {
        return ApprovalRequestPickers.parse(id);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
