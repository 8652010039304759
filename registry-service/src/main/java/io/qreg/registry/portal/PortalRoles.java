package io.qreg.registry.portal;

import java.util.Collection;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What the signed-in person may do, for deciding which buttons a page shows. It applies the same
 * role hierarchy as the security rules (an ADMIN is also an ENGINEER), which Thymeleaf's
 * {@code sec:authorize} would not see. Showing a button is a courtesy only: the security rules
 * on the POST routes are what refuse everyone else.
 */
@Component
@RequiredArgsConstructor
class PortalRoles {

    private final RoleHierarchy hierarchy;

    /** Registers checkpoints, submits and cancels jobs. */
    boolean engineer() {
        return has("ROLE_ENGINEER");
    }

    private boolean has(String authority) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null || !auth.isAuthenticated()) {
            return false;
        }
        Collection<? extends GrantedAuthority> reachable = hierarchy.getReachableGrantedAuthorities(
                auth.getAuthorities());
        return reachable.stream().anyMatch(a -> authority.equals(a.getAuthority()));
    }
}
