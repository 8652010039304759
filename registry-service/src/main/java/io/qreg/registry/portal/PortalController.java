package io.qreg.registry.portal;

import io.qreg.registry.deployment.ServingAudit;
import io.qreg.registry.rollout.RolloutService;
import io.qreg.registry.web.PortalPage;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import lombok.RequiredArgsConstructor;

/** The portal's shell: sign-in and the dashboard. */
@PortalPage
@RequiredArgsConstructor
class PortalController {

    private final DashboardPage dashboard;
    private final RolloutService rollouts;
    private final ServingAudit serving;

    @GetMapping("/login")
    String login() {
        return "login";
    }

    @GetMapping("/")
    String dashboard(Model page) {
        page.addAttribute("incidents", serving.servingWithoutValidApproval(null));
        page.addAttribute("totals", dashboard.totals());
        page.addAttribute("recentJobs", dashboard.recentJobs());
        page.addAttribute("fleet", dashboard.fleet());
        DashboardPage.Unpassed unpassed = dashboard.unpassedVariants();
        page.addAttribute("failedVariants", unpassed.failed());
        page.addAttribute("awaitingEvidence", unpassed.awaitingEvidence());
        page.addAttribute("pendingApprovals", dashboard.pendingApprovals());
        page.addAttribute("activeRollouts", RolloutPanels.active(rollouts.active(10)));
        page.addAttribute("recentModels", dashboard.recentModels());
        return "dashboard";
    }
}
