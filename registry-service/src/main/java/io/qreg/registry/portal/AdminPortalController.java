package io.qreg.registry.portal;

import io.qreg.registry.security.TokenService;
import io.qreg.registry.security.UserService;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The administrator's overview of accounts and tokens (ADMIN only, by the security rules on /admin). */
@Controller
class AdminPortalController {

    private final UserService users;
    private final TokenService tokens;

    AdminPortalController(UserService users, TokenService tokens) {
        this.users = users;
        this.tokens = tokens;
    }

    @GetMapping("/admin")
    String admin(Model view) {
        view.addAttribute("users", users.list());
        view.addAttribute("tokens", tokens.list(null));
        return "admin";
    }
}
