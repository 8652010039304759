package io.qreg.registry.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalForms;
import io.qreg.registry.web.PortalPage;

import org.springframework.http.HttpHeaders;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import lombok.RequiredArgsConstructor;

/**
 * A person changes their own password; where an account whose password an ADMIN reset is sent
 * until it does. The change ends the account's other portal sessions and keeps this one.
 */
@PortalPage
@RequiredArgsConstructor
class PasswordPortalController {

    private final UserService users;
    private final AccountService accounts;

    @GetMapping("/account/password")
    String form(Model view) {
        return page(null, view);
    }

    @PostMapping("/account/password")
    ModelAndView change(@RequestParam(required = false) String currentPassword,
            @RequestParam(required = false) String newPassword, @RequestParam(required = false) String confirmPassword,
            HttpServletRequest request, HttpServletResponse response, Model view, RedirectAttributes redirect) {
        try {
            if (newPassword != null && !newPassword.equals(confirmPassword)) {
                throw ApiException.invalid("confirmPassword", "the new password and its confirmation differ");
            }
            var sessionsValidAfter = accounts.changeOwnPassword(
                    new AccountService.PasswordChange(currentPassword, newPassword), request.getRemoteAddr());
            PortalSessions.markSignedIn(request.getSession(), sessionsValidAfter);
            redirect.addFlashAttribute("notice", "Your password was changed; your other sessions were signed out.");
            return new ModelAndView("redirect:/account/password");
        } catch (ApiException e) {
            if (e instanceof SignInThrottled throttled) {
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(throttled.retryAfterSeconds()));
            }
            return PortalForms.refused(page(PortalForms.Problem.of(e), view), view, e);
        }
    }

    private String page(PortalForms.Problem problem, Model view) {
        view.addAttribute("account", users.get(CurrentUser.username()));
        view.addAttribute("problem", problem);
        return "account/password";
    }
}
