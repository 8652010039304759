package io.qreg.registry.security;

import java.util.List;

import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalForms;
import io.qreg.registry.web.PortalPage;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import lombok.RequiredArgsConstructor;

/**
 * The administrator's accounts page (ADMIN only: the portal security chain guards /admin/**): every account
 * and the new-account form. {@link UserService} validates and audits exactly as the API does; a refusal
 * comes back beside the form.
 */
@PortalPage
@RequiredArgsConstructor
class AccountListPortalController {

    private final UserService users;

    /** The new-user form as typed, to fill it again after a refusal (never the password). */
    public record UserForm(String username, List<String> roles) {
    }

    @GetMapping("/admin")
    String accounts(Model view) {
        return accountsPage(new UserForm(null, List.of()), null, view);
    }

    @PostMapping("/admin/users")
    ModelAndView createUser(@RequestParam(required = false) String username,
            @RequestParam(required = false) String password, @RequestParam(required = false) List<String> roles,
            Model view, RedirectAttributes redirect) {
        List<String> chosen = roles == null ? List.of() : roles;
        try {
            var created = users.create(new UserService.NewUser(Text.blankToNull(username),
                    password == null || password.isEmpty() ? null : password, chosen));
            redirect.addFlashAttribute("notice", "Created " + created.username() + " with roles "
                    + created.roles() + ".");
            return new ModelAndView("redirect:/admin");
        } catch (ApiException e) {
            return PortalForms.refused(
                    accountsPage(new UserForm(username, chosen), PortalForms.Problem.of(e), view), view, e);
        }
    }

    private String accountsPage(UserForm form, PortalForms.Problem problem, Model view) {
        view.addAttribute("users", users.list());
        view.addAttribute("roles", Role.values());
        view.addAttribute("tokenOnlyRoles", Role.TOKEN_ONLY);
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/accounts";
    }
}
