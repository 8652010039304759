package io.qreg.registry.security;

import java.util.List;

import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalForms;
import io.qreg.registry.web.PortalPage;

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
 * One account's admin page (ADMIN only, under /admin/**): change its roles, disable or enable it,
 * reset its password. Each form calls {@link AccountService}, which validates and audits exactly as
 * the API does; a refusal comes back beside the form under the refusal's status.
 */
@PortalPage
@RequiredArgsConstructor
class AccountPortalController {

    private final UserService users;
    private final AccountService accounts;

    @GetMapping("/admin/users/{username}")
    String account(@PathVariable String username, Model view) {
        return accountPage(username, null, view);
    }

    @PostMapping("/admin/users/{username}/roles")
    ModelAndView changeRoles(@PathVariable String username, @RequestParam(required = false) List<String> roles,
            Model view, RedirectAttributes redirect) {
        return act(username, view, redirect, () -> {
            var changed = accounts.update(username, new AccountService.AccountChange(null,
                    roles == null ? List.of() : roles));
            return "Roles of " + changed.username() + " are now " + changed.roles() + ".";
        });
    }

    @PostMapping("/admin/users/{username}/enabled")
    ModelAndView setEnabled(@PathVariable String username, @RequestParam boolean enabled, Model view,
            RedirectAttributes redirect) {
        return act(username, view, redirect, () -> {
            accounts.update(username, new AccountService.AccountChange(enabled, null));
            return enabled ? "Enabled " + username + "; its password works again (its old tokens stay revoked)."
                    : "Disabled " + username + ": its tokens are revoked and its portal sessions ended.";
        });
    }

    @PostMapping("/admin/users/{username}/password")
    ModelAndView resetPassword(@PathVariable String username, @RequestParam(required = false) String password,
            Model view, RedirectAttributes redirect) {
        return act(username, view, redirect, () -> {
            accounts.resetPassword(username, new AccountService.PasswordReset(password));
            return "Set a temporary password for " + username + "; they must change it when they next sign in.";
        });
    }

    private interface Action {
        String run();
    }

    /** Runs the form's action: back to the page with a notice, or the page again with the refusal. */
    private ModelAndView act(String username, Model view, RedirectAttributes redirect, Action action) {
        try {
            redirect.addFlashAttribute("notice", action.run());
            return new ModelAndView("redirect:/admin/users/" + username);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw e;
            }
            return PortalForms.refused(accountPage(username, PortalForms.Problem.of(e), view), view, e);
        }
    }

    private String accountPage(String username, PortalForms.Problem problem, Model view) {
        view.addAttribute("account", users.get(username));
        view.addAttribute("roles", Role.values());
        view.addAttribute("problem", problem);
        return "admin/account";
    }
}
