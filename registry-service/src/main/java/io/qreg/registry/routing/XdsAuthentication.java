package io.qreg.registry.routing;

import java.util.Optional;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.qreg.registry.security.TokenService;

import org.springframework.security.access.hierarchicalroles.RoleHierarchy;

import lombok.RequiredArgsConstructor;

/**
 * The xDS endpoint's door: the same API tokens and the same rule as reading the routing config
 * over HTTP (a GATEWAY or VIEWER-and-above token), sent as gRPC metadata
 * {@code authorization: Bearer <token>}. A call without a token, or with an unknown, expired or
 * revoked one, is closed UNAUTHENTICATED; a token of another role, PERMISSION_DENIED. The token is
 * kept in the call's context so each later request on the stream is checked again (a token
 * revoked while its stream is open stops being served).
 */
@RequiredArgsConstructor
final class XdsAuthentication implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
            Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> TOKEN = Context.key("qreg-xds-token");

    private final TokenService tokens;
    private final RoleHierarchy hierarchy;
    private final RoutingReaders readers = new RoutingReaders();

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String authorization = headers.get(AUTHORIZATION);
        String secret = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim() : "";
        Status refusal = check(secret).refusal();
        if (refusal != null) {
            call.close(refusal, new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return Contexts.interceptCall(Context.current().withValue(TOKEN, secret), call, headers, next);
    }

    /** The caller of the call this thread serves, its token checked again. */
    TokenService.TokenPrincipal recheck() throws RequestException {
        String secret = TOKEN.get();
        Outcome outcome = secret == null ? new Outcome(Status.UNAUTHENTICATED.withDescription("no token on this call"),
                null) : check(secret);
        if (outcome.refusal() != null) {
            throw new RequestException(outcome.refusal());
        }
        return outcome.principal();
    }

    /** Either why the token may not read routing configs, or who it belongs to. */
    private record Outcome(Status refusal, TokenService.TokenPrincipal principal) {
    }

    private Outcome check(String secret) {
        if (secret.isEmpty()) {
            return new Outcome(Status.UNAUTHENTICATED.withDescription("send an API token as gRPC metadata"
                    + " 'authorization: Bearer <token>' (a GATEWAY account's token)"), null);
        }
        Optional<TokenService.TokenPrincipal> principal = tokens.authenticate(secret);
        if (principal.isEmpty()) {
            return new Outcome(Status.UNAUTHENTICATED.withDescription("the token is unknown, expired or revoked"), null);
        }
        if (!readers.mayRead(hierarchy, principal.get().user().getRoles())) {
            return new Outcome(Status.PERMISSION_DENIED.withDescription("'" + principal.get().user().getUsername()
                    + "' may not read routing configs: that takes the GATEWAY or VIEWER role"), null);
        }
        return new Outcome(null, principal.get());
    }
}
