package io.qreg.registry.security;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/** Who is calling, as the security filters established it. */
public final class CurrentUser {

    private CurrentUser() {
    }

    public static String username() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth == null ? "system" : auth.getName();
    }

    /**
     * The roles granted directly (the hierarchy's implied roles are not expanded here). Authorities
     * that are not QReg roles, such as ROLE_ANONYMOUS on a page anyone may open, are not roles.
     */
    public static Set<Role> roles() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (auth == null) {
            return Set.of();
        }
        return auth.getAuthorities().stream().map(GrantedAuthority::getAuthority)
                .filter(a -> a.startsWith("ROLE_")).map(a -> a.substring(5))
                .filter(name -> Arrays.stream(Role.values()).anyMatch(r -> r.name().equals(name)))
                .map(Role::valueOf).collect(Collectors.toSet());
    }

    /** The API token the caller authenticated with, if it used one (the bearer filter records it). */
    public static java.util.Optional<java.util.UUID> tokenId() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getDetails() instanceof java.util.UUID id ? java.util.Optional.of(id)
                : java.util.Optional.empty();
    }

    public static boolean isAdmin() {
        return roles().contains(Role.ADMIN);
    }
}
