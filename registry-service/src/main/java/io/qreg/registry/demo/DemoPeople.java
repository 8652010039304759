package io.qreg.registry.demo;

import java.util.Set;
import java.util.function.Supplier;

import io.qreg.registry.demo.DemoData.Persona;
import io.qreg.registry.security.Role;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;

/** Runs demo work as one of the demo people, so services record them as the actor and apply their rules to them. */
final class DemoPeople {

    private DemoPeople() {
    }

    static <T> T as(Persona persona, Supplier<T> work) {
        return as(persona.username(), Set.of(persona.role()), work);
    }

    static <T> T as(String username, Set<Role> roles, Supplier<T> work) {
        var previous = SecurityContextHolder.getContext();
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(username, null,
                roles.stream().map(r -> new SimpleGrantedAuthority(r.authority())).toList()));
        SecurityContextHolder.setContext(context);
        try {
            return work.get();
        } finally {
            SecurityContextHolder.setContext(previous);
        }
    }
}
