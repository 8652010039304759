package io.qreg.registry.routing;

import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.qreg.registry.security.TokenService;
import io.qreg.registry.web.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;

import lombok.RequiredArgsConstructor;

/**
 * An Envoy's ADS ACK of a route configuration is what {@code POST /api/v1/routing/{d}/ack} says
 * over HTTP: that gateway (its node id, else its account) applied that revision. Recorded the same
 * way, by the token's account, so {@code GET …/gateways} shows xDS fleets too. A NACK (the Envoy
 * refused the configuration) is logged with Envoy's reason and acknowledges nothing.
 */
@RequiredArgsConstructor
final class XdsAcknowledgements {

    private static final Logger log = LoggerFactory.getLogger(XdsAcknowledgements.class);
    static final String ROUTES = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

    private final RoutingService routing;

    void onRequest(RoutingCache.Key key, DiscoveryRequest request, TokenService.TokenPrincipal caller) {
        if (!ROUTES.equals(request.getTypeUrl()) || request.getResponseNonce().isEmpty()) {
            return;
        }
        String node = request.getNode().getId();
        if (request.hasErrorDetail()) {
            log.warn("Envoy node '{}' of {}/{} refused the routes it was sent: {}", node, key.deployment(),
                    key.environment(), request.getErrorDetail().getMessage());
            return;
        }
        long revision;
        try {
            revision = Long.parseLong(request.getVersionInfo());
        } catch (NumberFormatException e) {
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(caller.user().getUsername(), null,
                caller.user().getRoles().stream().map(r -> new SimpleGrantedAuthority(r.authority())).toList()));
        SecurityContextHolder.setContext(context);
        try {
            try {
                routing.ack(key.deployment(), new RoutingViews.AckRequest(key.environment(), revision, node));
            } catch (ApiException e) {
                if (!"gateway".equals(e.field())) {
                    throw e;
                }
                // A node id that is not a gateway id (e.g. one with '~'): the account stands for it.
                routing.ack(key.deployment(), new RoutingViews.AckRequest(key.environment(), revision, null));
            }
        } catch (ApiException e) {
            log.warn("cannot record the ADS ACK of node '{}' for {}/{} revision {}: {}", node, key.deployment(),
                    key.environment(), revision, e.getMessage());
        } finally {
            SecurityContextHolder.clearContext();
        }
    }
}
