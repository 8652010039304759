package io.qreg.registry.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import lombok.RequiredArgsConstructor;

/**
 * Catches a database outage where no controller advice can: in the filters before Spring MVC (the bearer
 * token lookup is the first thing to touch the database). Without it the container would log a stack trace
 * per request and answer 500.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
@RequiredArgsConstructor
class DatabaseOutageFilter extends OncePerRequestFilter {

    private final DatabaseOutage outage;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        try {
            chain.doFilter(request, response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (!DatabaseOutage.isConnectionFailure(e) || response.isCommitted()) {
                throw e;
            }
            ProblemDetail problem = outage.unavailable(e);
            response.resetBuffer();
            response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(DatabaseOutage.RETRY_AFTER_SECONDS));
            if (!request.getRequestURI().startsWith("/api/")) {
                response.sendError(problem.getStatus(), problem.getDetail());
                return;
            }
            ServletProblems.write(request, response, HttpStatus.valueOf(problem.getStatus()), problem.getDetail(),
                    null);
        }
    }
}
