package io.qreg.registry.security;

import java.time.Instant;

import jakarta.servlet.http.HttpSession;

import io.qreg.registry.support.Timestamps;

import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;

/**
 * When a portal session signed in. An account's {@code sessions_valid_after} ends every session
 * that signed in before it (disabling, password reset or change); the session's own creation time
 * will not do, since it was created for the sign-in page, possibly before that instant.
 */
public final class PortalSessions {

    private static final String SIGNED_IN_AT = PortalSessions.class.getName() + ".signedInAt";

    private PortalSessions() {
    }

    /** Keeps this session after the account's sessions were ended at {@code instant} (the caller's own change). */
    public static void markSignedIn(HttpSession session, Instant instant) {
        session.setAttribute(SIGNED_IN_AT, instant);
    }

    static Instant signedInAt(HttpSession session) {
        return session.getAttribute(SIGNED_IN_AT) instanceof Instant at ? at
                : Instant.ofEpochMilli(session.getCreationTime());
    }

    /** The form login's success: note the time, then go where the person was headed (or the dashboard). */
    static AuthenticationSuccessHandler successHandler() {
        SavedRequestAwareAuthenticationSuccessHandler destination = new SavedRequestAwareAuthenticationSuccessHandler();
        destination.setDefaultTargetUrl("/");
        return (request, response, authentication) -> {
            markSignedIn(request.getSession(), Timestamps.now());
            destination.onAuthenticationSuccess(request, response, authentication);
        };
    }
}
