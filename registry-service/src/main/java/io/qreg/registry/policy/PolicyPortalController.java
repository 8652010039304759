package io.qreg.registry.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.job.HardwareTargetService;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.PortalForms;
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
 * The administrator's acceptance-policy pages (ADMIN only, under /admin/**): which models have their own
 * thresholds, and one model's policy to set or clear. {@link PolicyService} validates and audits exactly as
 * the API does; a refusal comes back beside the form.
 */
@PortalPage
@RequiredArgsConstructor
class PolicyPortalController {

    private final ModelService models;
    private final PolicyService policies;
    private final HardwareTargetService targets;

    /** A model row of the policies page: where its thresholds come from. */
    public record PolicyRow(String model, String riskTier, String source) {
    }

    @GetMapping("/admin/policies")
    String policies(@RequestParam(required = false) String q, @RequestParam(required = false) Integer page,
            Model view) {
        Page<ModelView> found = models.search(null, null, null, q, Pagination.of(page, 20, Sort.by("name")));
        // One effective-policy read per row of a 20-row page: bounded, and it names the source truthfully.
        view.addAttribute("rows", found.map(m -> new PolicyRow(m.name(), m.riskTier(),
                policies.effectivePolicy(m.name()).source())));
        view.addAttribute("q", q);
        return "admin/policies";
    }

    @GetMapping("/admin/policies/{model}")
    String policy(@PathVariable String model, Model view) {
        return policyPage(model, null, null, view);
    }

    @PostMapping("/admin/policies/{model}")
    ModelAndView setPolicy(@PathVariable String model, @RequestParam Map<String, String> fields,
            @RequestParam(required = false) List<String> hardwareTargets, Model view, RedirectAttributes redirect) {
        try {
            var body = PolicyForm.body(fields, hardwareTargets);
            // The form has no per-slice thresholds: keep those set through the API rather than clear them.
            Thresholds thresholds = Thresholds.parse(body).withSliceThresholds(
                    policies.effectivePolicy(model).thresholds().sliceThresholds());
            EffectivePolicy saved = policies.set(model, thresholds, LapseAction.of(body));
            redirect.addFlashAttribute("notice", "Saved the policy of " + saved.model() + ".");
            return new ModelAndView("redirect:/admin/policies/" + saved.model());
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            Map<String, String> typed = new LinkedHashMap<>(fields);
            return PortalForms.refused(policyPage(model, typed, PortalForms.Problem.of(e), view), view, e);
        }
    }

    @PostMapping("/admin/policies/{model}/clear")
    ModelAndView clearPolicy(@PathVariable String model, RedirectAttributes redirect) {
        EffectivePolicy now = policies.clear(model);
        redirect.addFlashAttribute("notice", "Cleared the own policy of " + now.model() + "; its " + now.riskTier()
                + " risk tier's defaults apply.");
        return new ModelAndView("redirect:/admin/policies/" + now.model());
    }

    private String policyPage(String model, Map<String, String> typed, PortalForms.Problem problem, Model view) {
        EffectivePolicy effective = policies.effectivePolicy(model);
        Thresholds t = effective.thresholds();
        view.addAttribute("policy", effective);
        view.addAttribute("values", PolicyForm.values(t, typed));
        view.addAttribute("fields", PolicyForm.THRESHOLD_FIELDS);
        view.addAttribute("selectedTargets", t.hardwareTargets() == null ? List.of() : t.hardwareTargets());
        view.addAttribute("targets", targets.list(PageRequest.of(0, Pagination.MAX_SIZE)).getContent());
        view.addAttribute("problem", problem);
        return "admin/policy";
    }
}
