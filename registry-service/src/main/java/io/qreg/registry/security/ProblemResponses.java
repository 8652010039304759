package io.qreg.registry.security;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.qreg.registry.web.ServletProblems;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/** 401 and 403 from the security filters, in the same problem+json form as every other error. */
final class ProblemResponses {

    private ProblemResponses() {
    }

    static AuthenticationEntryPoint unauthorized() {
        return (request, response, e) -> {
            response.setHeader("WWW-Authenticate", "Bearer realm=\"qreg\"");
            write(request, response, HttpStatus.UNAUTHORIZED, e.getMessage() != null && e.getMessage().contains("token")
                    ? e.getMessage() + "; create a new one with POST /api/v1/tokens"
                    : "Authentication required: send 'Authorization: Bearer <token>' (create one with POST /api/v1/tokens)");
        };
    }

    /** A refusal; an account whose password an ADMIN reset is told to change it first, naming the field. */
    static AccessDeniedHandler forbidden() {
        return (request, response, e) -> {
            if (AccountAuthorities.mustChangePassword(SecurityContextHolder.getContext().getAuthentication())) {
                write(request, response, HttpStatus.FORBIDDEN, "An ADMIN reset this account's password: change it"
                        + " with POST /api/v1/me/password {\"currentPassword\", \"newPassword\"} before anything else",
                        "password");
                return;
            }
            write(request, response, HttpStatus.FORBIDDEN,
                    "Your roles do not allow " + request.getMethod() + " " + request.getRequestURI()
                            + "; ask an ADMIN for the role this action needs");
        };
    }

    static void tooManyRequests(HttpServletRequest request, HttpServletResponse response, String detail)
            throws IOException {
        write(request, response, HttpStatus.TOO_MANY_REQUESTS, detail);
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail) throws IOException {
        write(request, response, status, detail, null);
    }

    private static void write(HttpServletRequest request, HttpServletResponse response, HttpStatus status,
            String detail, String field) throws IOException {
        ServletProblems.write(request, response, status, detail, field);
    }
}
