package io.qreg.registry.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.PortalForms;
import io.qreg.registry.web.PortalPage;

import org.springframework.data.domain.PageRequest;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import lombok.RequiredArgsConstructor;

/**
 * The administrator's hardware-targets page (ADMIN only, under /admin/**): every target and the
 * new-target form. {@link HardwareTargetService} validates and audits exactly as the API does.
 */
@PortalPage
@RequiredArgsConstructor
class HardwareTargetPortalController {

    private final HardwareTargetService targets;

    /** The hardware-target form as typed. */
    public record TargetForm(String name, String requiredFlags, String labels) {

        /** Flags as typed: separated by commas or spaces. */
        List<String> flagList() {
            List<String> words = new ArrayList<>();
            if (requiredFlags != null) {
                for (String w : requiredFlags.split("[,\\s]+")) {
                    if (!w.isBlank()) {
                        words.add(w.strip());
                    }
                }
            }
            return words;
        }

        /** Labels as typed: one {@code key=value} per line or comma. */
        Map<String, String> labelMap() {
            Map<String, String> map = new LinkedHashMap<>();
            if (labels != null) {
                for (String pair : labels.split("[,\\n]")) {
                    if (pair.isBlank()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw ApiException.invalid("labels", "labels are key=value pairs, one per line; got '"
                                + pair.strip() + "'");
                    }
                    map.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
                }
            }
            return map;
        }
    }

    @GetMapping("/admin/hardware-targets")
    String hardwareTargets(Model view) {
        return targetsPage(new TargetForm(null, null, null), null, view);
    }

    @PostMapping("/admin/hardware-targets")
    ModelAndView createTarget(@RequestParam(required = false) String name,
            @RequestParam(required = false) String requiredFlags, @RequestParam(required = false) String labels,
            Model view, RedirectAttributes redirect) {
        TargetForm form = new TargetForm(name, requiredFlags, labels);
        try {
            var created = targets.create(new HardwareTargetService.NewTarget(Text.blankToNull(name),
                    form.flagList(), form.labelMap()));
            redirect.addFlashAttribute("notice", "Created hardware target " + created.name() + ".");
            return new ModelAndView("redirect:/admin/hardware-targets");
        } catch (ApiException e) {
            return PortalForms.refused(targetsPage(form, PortalForms.Problem.of(e), view), view, e);
        }
    }

    private String targetsPage(TargetForm form, PortalForms.Problem problem, Model view) {
        view.addAttribute("targets", targets.list(PageRequest.of(0, Pagination.MAX_SIZE)));
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/hardware-targets";
    }
}
