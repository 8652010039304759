package io.qreg.registry.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Refuses a password sign-in attempt while its account or client address is throttled, before the
 * password is checked: 429 with {@code Retry-After}, as problem+json on the API and as the sign-in
 * page with a message on the portal. The address is the one the servlet sees (the proxy's, unless
 * forwarded headers are configured).
 */
@RequiredArgsConstructor(access = AccessLevel.PRIVATE)
final class LoginThrottleFilter extends OncePerRequestFilter {

    /** The request attribute the sign-in page reads to say how long to wait. */
    static final String RETRY_AFTER_SECONDS = "loginRetryAfterSeconds";

    private final LoginThrottle throttle;
    private final boolean portal;

    /** HTTP Basic on the API. */
    static LoginThrottleFilter api(LoginThrottle throttle) {
        return new LoginThrottleFilter(throttle, false);
    }

    /** The portal's sign-in form. */
    static LoginThrottleFilter portal(LoginThrottle throttle) {
        return new LoginThrottleFilter(throttle, true);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String username = portal ? formUsername(request) : basicUsername(request);
        Optional<Duration> wait = username == null ? Optional.empty()
                : throttle.refusal(username, request.getRemoteAddr());
        if (wait.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        long seconds = LoginThrottle.seconds(wait.get());
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        if (!portal) {
            ProblemResponses.tooManyRequests(request, response, new SignInThrottled(seconds, null).getMessage());
            return;
        }
        response.setStatus(429);
        request.setAttribute(RETRY_AFTER_SECONDS, seconds);
        // The sign-in page itself, as GET would show it, under the 429 status set above.
        request.getRequestDispatcher("/login").forward(new HttpServletRequestWrapper(request) {
            @Override
            public String getMethod() {
                return "GET";
            }
        }, response);
    }

    private static String formUsername(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())
                || !request.getRequestURI().equals(request.getContextPath() + "/login")) {
            return null;
        }
        return request.getParameter("username");
    }

    /** The username of an {@code Authorization: Basic} header; null when there is none or it is malformed. */
    private static String basicUsername(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
