package io.qreg.registry.routing;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.security.Role;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * Who may read routing configs outside the servlet security chain (the 304 valve, the xDS
 * endpoint): what {@code SecurityConfiguration} allows on {@code GET /api/v1/routing/**}, VIEWER
 * (so, by the role hierarchy, every role above it) or GATEWAY. Answers are remembered per role set
 * (there are few): the hierarchy's answer allocates and formats a debug message on every call.
 */
final class RoutingReaders {

    private static final GrantedAuthority VIEWER = new SimpleGrantedAuthority("ROLE_VIEWER");
    private static final GrantedAuthority GATEWAY = new SimpleGrantedAuthority("ROLE_GATEWAY");

    private final Map<Set<Role>, Boolean> known = new ConcurrentHashMap<>();

    boolean mayRead(RoleHierarchy hierarchy, Set<Role> roles) {
        Boolean answer = known.get(roles);
        if (answer == null) {
            var granted = roles.stream().map(r -> (GrantedAuthority) new SimpleGrantedAuthority(r.authority())).toList();
            var reachable = hierarchy.getReachableGrantedAuthorities(granted);
            answer = reachable.contains(VIEWER) || reachable.contains(GATEWAY);
            known.put(Set.copyOf(roles), answer);
        }
        return answer;
    }
}
