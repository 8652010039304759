package io.qreg.registry.portal;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The portal's shell: sign-in and the dashboard. */
@Controller
class PortalController {

    private final DashboardPage dashboard;

    PortalController(DashboardPage dashboard) {
        this.dashboard = dashboard;
    }

    @GetMapping("/login")
    String login() {
        return "login";
    }

    @GetMapping("/")
    String dashboard(Model page) {
        page.addAttribute("totals", dashboard.totals());
        page.addAttribute("recentJobs", dashboard.recentJobs());
        page.addAttribute("fleet", dashboard.fleet());
        page.addAttribute("failedVariants", dashboard.failedVariants());
        page.addAttribute("pendingApprovals", dashboard.pendingApprovals());
        // The active rollouts slot (templates/dashboard/active-rollouts.html) is filled by the
        // deployments feature (issue 5): it adds "activeRollouts" here; until then the slot says so.
        page.addAttribute("activeRollouts", null);
        page.addAttribute("recentModels", dashboard.recentModels());
        return "dashboard";
    }
}
