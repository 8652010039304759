package io.qreg.registry.security;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.support.Text;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PortalForms;
import io.qreg.registry.web.PortalPage;

import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.ModelAndView;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import lombok.RequiredArgsConstructor;

/**
 * The administrator's API-token pages (ADMIN only, under /admin/**): one account's tokens, issuing one
 * (its secret shown once) and revoking one. {@link TokenService} validates and audits as the API does.
 */
@PortalPage
@RequiredArgsConstructor
class TokenPortalController {

    private final UserService users;
    private final TokenService tokens;

    /** The new-token form as typed. */
    public record TokenForm(String name, String username, String expiresOn) {

        /** Whose tokens the page lists: the form's account, or the signed-in one when it names none. */
        String owner() {
            return Text.blankToNull(username) == null ? CurrentUser.username() : username;
        }

        /** The expiry date as the start of that day in UTC; none when left empty. */
        Instant expiresAt() {
            if (Text.blankToNull(expiresOn) == null) {
                return null;
            }
            try {
                return LocalDate.parse(expiresOn.strip()).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw ApiException.invalid("expiresAt",
                        "the expiry date must look like 2027-12-31, got '" + expiresOn + "'");
            }
        }
    }

    @GetMapping("/admin/tokens")
    String tokens(@RequestParam(required = false) String user, Model view) {
        String owner = new TokenForm(null, user, null).owner();
        return tokensPage(owner, new TokenForm(null, owner, null), null, view);
    }

    /** The secret is in this response and nowhere else: rendered, not redirected, and never cached. */
    @PostMapping("/admin/tokens")
    ModelAndView createToken(@RequestParam(required = false) String name,
            @RequestParam(required = false) String username, @RequestParam(required = false) String expiresOn,
            Model view, HttpServletResponse response) {
        TokenForm form = new TokenForm(name, username, expiresOn);
        try {
            TokenService.IssuedToken issued = tokens.issue(new TokenService.NewToken(name, Text.blankToNull(username),
                    form.expiresAt()));
            response.setHeader("Cache-Control", "no-store");
            view.addAttribute("issued", issued);
            return new ModelAndView("admin/token-created", view.asMap());
        } catch (ApiException e) {
            return PortalForms.refused(tokensPage(form.owner(), form, PortalForms.Problem.of(e), view), view, e);
        }
    }

    @PostMapping("/admin/tokens/{id}/revoke")
    ModelAndView revokeToken(@PathVariable String id, RedirectAttributes redirect) {
        UUID tokenId;
        try {
            tokenId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound("token", id);
        }
        TokenService.TokenView revoked = tokens.revoke(tokenId);
        String shown = revoked.prefix() == null ? "" : " (" + revoked.prefix() + "…)";
        redirect.addFlashAttribute("notice", "Revoked token '" + revoked.name() + "'" + shown
                + " of " + revoked.username() + ", and every token created with it; they no longer authenticate.");
        redirect.addAttribute("user", revoked.username());
        return new ModelAndView("redirect:/admin/tokens");
    }

    private String tokensPage(String owner, TokenForm form, PortalForms.Problem problem, Model view) {
        view.addAttribute("owner", owner);
        view.addAttribute("users", users.list());
        List<TokenService.TokenView> list;
        try {
            list = tokens.list(owner);
        } catch (ApiException e) {
            list = List.of();
            if (problem == null) {
                problem = PortalForms.Problem.of(e);
            }
        }
        view.addAttribute("tokens", list);
        view.addAttribute("form", form);
        view.addAttribute("problem", problem);
        return "admin/tokens";
    }
}
