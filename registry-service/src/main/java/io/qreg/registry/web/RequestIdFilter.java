package io.qreg.registry.web;

import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import lombok.RequiredArgsConstructor;

/**
 * Gives every request an id (the caller's {@code X-Request-Id} when it is sane), echoes it,
 * puts it in the logging context and writes one structured log line per request: at INFO, except
 * the successful requests of this process's own clients ({@link InProcessClients}), at DEBUG.
 * It also keeps the {@link InFlightRequests} a slow shutdown names.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
@RequiredArgsConstructor
public class RequestIdFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-Request-Id";
    public static final String MDC_KEY = "requestId";
    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Logger log = LoggerFactory.getLogger("io.qreg.requests");

    private final InProcessClients inProcessClients;
    private final InFlightRequests inFlight;

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        String requestId = given != null && SANE_ID.matcher(given).matches() ? given : newId();
        MDC.put(MDC_KEY, requestId);
        // The container's error dispatch runs after this filter has returned; it reads the attribute.
        request.setAttribute(MDC_KEY, requestId);
        response.setHeader(HEADER, requestId);
        long started = System.nanoTime();
        InFlightRequests.InFlight tracked = isAsyncDispatch(request) ? null
                : inFlight.started(request.getMethod(), request.getRequestURI(), started);
        try {
            chain.doFilter(request, response);
        } finally {
            if (tracked != null) {
                untrackWhenDone(request, tracked);
            }
            long micros = (System.nanoTime() - started) / 1000;
            boolean quiet = response.getStatus() < 400 && inProcessClients.sent(request);
            (quiet ? log.atDebug() : log.atInfo())
                    .addKeyValue("requestId", requestId)
                    .addKeyValue("method", request.getMethod())
                    .addKeyValue("path", request.getRequestURI())
                    .addKeyValue("status", response.getStatus())
                    .addKeyValue("durationMs", micros / 1000.0)
                    .log("{} {} -> {} in {} ms", request.getMethod(), request.getRequestURI(), response.getStatus(),
                            micros / 1000.0);
            MDC.remove(MDC_KEY);
        }
    }

    /** A long poll or event stream is served on after this filter returns: it is done when its async work is. */
    private void untrackWhenDone(HttpServletRequest request, InFlightRequests.InFlight tracked) {
        if (!request.isAsyncStarted()) {
            inFlight.finished(tracked);
            return;
        }
        request.getAsyncContext().addListener(new AsyncListener() {
            @Override
            public void onComplete(AsyncEvent event) {
                inFlight.finished(tracked);
            }

            @Override
            public void onTimeout(AsyncEvent event) {
                // onComplete follows
            }

            @Override
            public void onError(AsyncEvent event) {
                inFlight.finished(tracked);
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
                event.getAsyncContext().addListener(this); // a restarted async cycle drops its listeners
            }
        });
    }

    /**
     * A random UUID-shaped id. It correlates log lines and guards nothing, so it comes from the
     * per-thread generator rather than SecureRandom, which every request thread would queue on.
     */
    static String newId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        return false;
    }
}
