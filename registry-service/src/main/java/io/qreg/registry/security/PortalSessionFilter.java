package io.qreg.registry.security;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import lombok.RequiredArgsConstructor;

/**
 * Holds a signed-in portal session to its account's current state on every request: a disabled
 * account, or one whose sessions were ended after this one signed in, loses the session at once
 * (on every instance, as the state is read from the database); otherwise the request carries the
 * account's current roles, not those it had at sign-in.
 */
@RequiredArgsConstructor
final class PortalSessionFilter extends OncePerRequestFilter {

    private final AppUserRepository users;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication signedIn = SecurityContextHolder.getContext().getAuthentication();
        HttpSession session = request.getSession(false);
        // Bearer-token requests (details: the token id) are held to the account by the token service.
        if (session == null || signedIn == null || !signedIn.isAuthenticated()
                || signedIn instanceof AnonymousAuthenticationToken || signedIn.getDetails() instanceof UUID) {
            chain.doFilter(request, response);
            return;
        }
        Optional<AppUser> account = users.findByUsername(signedIn.getName());
        if (account.isEmpty() || !account.get().isEnabled() || endedBefore(account.get(), session)) {
            session.invalidate();
            SecurityContextHolder.clearContext();
            response.sendRedirect(request.getContextPath() + "/login?ended");
            return;
        }
        var current = UsernamePasswordAuthenticationToken.authenticated(signedIn.getPrincipal(), null,
                AccountAuthorities.of(account.get()));
        current.setDetails(signedIn.getDetails());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(current);
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }

    private static boolean endedBefore(AppUser account, HttpSession session) {
        Instant validAfter = account.getSessionsValidAfter();
        return validAfter != null && PortalSessions.signedInAt(session).isBefore(validAfter);
    }
}
