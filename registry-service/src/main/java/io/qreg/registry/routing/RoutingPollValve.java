package io.qreg.registry.routing;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.servlet.ServletException;

import io.qreg.registry.security.TokenService;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;

/**
 * Answers a gateway's conditional poll that would be 304 before the request enters the servlet
 * filter chain: {@code GET /api/v1/routing/{deployment}?environment=[&format=]} with a bearer
 * token and an {@code If-None-Match} naming the revision this instance holds in memory. That poll
 * is most of the registry's traffic, and the full chain (request id and log line, security
 * filters, observation, MVC dispatch) costs many times the answer itself.
 *
 * <p>It answers only when the answer is certain: the token is valid (the same cached check as
 * the bearer filter) and has a role {@code SecurityConfiguration} allows on
 * {@code GET /api/v1/routing/**} (VIEWER, by the role hierarchy, or GATEWAY), and the cached
 * revision's ETag matches. Everything else (no or another credential, a refused token, long polls,
 * a changed or uncached revision) goes down the normal chain, which decides as it always does.
 * These 304s are counted in {@code qreg.routing.polls.not.modified} instead of logged one by one.
 */
class RoutingPollValve extends ValveBase {

    static final String PREFIX = "/api/v1/routing/";
    private static final Pattern NAME = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final ObjectProvider<RoutingCache> cacheProvider;
    private final ObjectProvider<TokenService> tokensProvider;
    private final ObjectProvider<RoleHierarchy> hierarchyProvider;
    private final ObjectProvider<MeterRegistry> metersProvider;
    private volatile Collaborators collaborators;
    private final RoutingReaders readers = new RoutingReaders();

    /** Resolved on the first poll: the web server is created before these beans exist. */
    private record Collaborators(RoutingCache cache, TokenService tokens, RoleHierarchy hierarchy, Counter answered) {
    }

    RoutingPollValve(ObjectProvider<RoutingCache> cache, ObjectProvider<TokenService> tokens,
            ObjectProvider<RoleHierarchy> hierarchy, ObjectProvider<MeterRegistry> meters) {
        super(true);
        this.cacheProvider = cache;
        this.tokensProvider = tokens;
        this.hierarchyProvider = hierarchy;
        this.metersProvider = meters;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!answered(request, response)) {
            getNext().invoke(request, response);
        }
    }

    private boolean answered(Request request, Response response) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        String uri = request.getRequestURI();
        if (uri == null || !uri.startsWith(PREFIX)) {
            return false;
        }
        String deployment = uri.substring(PREFIX.length());
        String ifNoneMatch = request.getHeader("If-None-Match");
        String authorization = request.getHeader("Authorization");
        if (ifNoneMatch == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || !NAME.matcher(deployment).matches()) {
            return false;
        }
        Query query = Query.parse(request.getQueryString());
        if (query == null) {
            return false;
        }
        Collaborators c = collaborators();
        Revision revision = c.cache().get(new RoutingCache.Key(deployment, query.environment()));
        if (revision == null) {
            return false;
        }
        Rendered current = revision.rendered(query.format());
        if (!current.matches(ifNoneMatch)) {
            return false;
        }
        String secret = authorization.substring(7).trim();
        Optional<TokenService.TokenPrincipal> principal = secret.isEmpty() ? Optional.empty()
                : c.tokens().authenticate(secret);
        if (principal.isEmpty() || !readers.mayRead(c.hierarchy(), principal.get().user().getRoles())) {
            return false;
        }
        response.setStatus(304);
        response.setHeader("ETag", current.etag());
        response.setHeader("Cache-Control", "no-cache");
        String requestId = request.getHeader("X-Request-Id");
        if (requestId != null && REQUEST_ID.matcher(requestId).matches()) {
            response.setHeader("X-Request-Id", requestId);
        }
        c.answered().increment();
        return true;
    }

    private Collaborators collaborators() {
        Collaborators c = collaborators;
        if (c == null) {
            Counter counter = Counter.builder("qreg.routing.polls.not.modified")
                    .description("conditional routing polls answered 304 from memory")
                    .register(metersProvider.getIfAvailable(() -> Metrics.globalRegistry));
            c = new Collaborators(cacheProvider.getObject(), tokensProvider.getObject(), hierarchyProvider.getObject(),
                    counter);
            collaborators = c;
        }
        return c;
    }

    /** The query of a plain poll: environment (required here), format; anything else is not ours. */
    private record Query(String environment, String format) {

        static Query parse(String query) {
            if (query == null || query.isEmpty()) {
                return null;
            }
            String environment = null;
            String format = RoutingFormats.QREG;
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value;
                try {
                    value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException malformed) {
                    return null;
                }
                switch (name) {
                    case "environment" -> environment = value;
                    case "format" -> {
                        if (value.equals(RoutingFormats.ENVOY) || value.equals(RoutingFormats.GATEWAY_API)) {
                            format = value;
                        } else if (!value.isEmpty() && !value.equals(RoutingFormats.QREG) && !value.equals("json")) {
                            return null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            }
            return environment == null || !NAME.matcher(environment).matches() ? null
                    : new Query(environment, format);
        }
    }
}
