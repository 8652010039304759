package io.qreg.registry.security;

import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What an account may do right now, read from its current state on every request (never a
 * snapshot taken at sign-in or token creation), so a role change or password reset applies at once
 * to passwords, tokens and portal sessions alike.
 */
final class AccountAuthorities {

    /**
     * The only authority of an account whose password an ADMIN reset: it may change its password
     * and nothing else, since it holds no role.
     */
    static final String PASSWORD_CHANGE_REQUIRED = "PASSWORD_CHANGE_REQUIRED";

    private AccountAuthorities() {
    }

    static List<GrantedAuthority> of(AppUser user) {
        if (user.isMustChangePassword()) {
            return List.of(new SimpleGrantedAuthority(PASSWORD_CHANGE_REQUIRED));
        }
        return user.getRoles().stream().<GrantedAuthority>map(r -> new SimpleGrantedAuthority(r.authority())).toList();
    }

    static boolean mustChangePassword(Authentication authentication) {
        return authentication != null && authentication.getAuthorities().stream()
                .anyMatch(a -> PASSWORD_CHANGE_REQUIRED.equals(a.getAuthority()));
    }
}
