package io.qreg.registry.routing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;


import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.controlplane.server.exception.RequestException;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.qreg.registry.security.TokenService;
import io.qreg.registry.web.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.stereotype.Component;

/**
 * The routing config for Envoy fleets over xDS: ADS (aggregated discovery) on gRPC, on the port
 * {@code qreg.xds.port} (off when unset; 0 picks a free one). An Envoy names what it serves in its
 * bootstrap node: {@code node.cluster} is the deployment, the node metadata field
 * {@code environment} the environment (optional when the deployment has only one). It receives
 * the snapshot of {@link EnvoySnapshots} (CDS and RDS; the route configuration is named
 * {@code <deployment>.<environment>}), and a new one, versioned by revision, whenever the
 * routing revision changes, instead of polling. Its ACKs of route configurations are recorded as
 * gateway acknowledgements ({@link XdsAcknowledgements}).
 */
@Component
class XdsServer implements SmartLifecycle {

    /** An Envoy node's subscription, as its bootstrap states it. */
    record Group(String deployment, String environment) {

        static Group of(Node node) {
            com.google.protobuf.Value environment = node.getMetadata().getFieldsMap().get("environment");
            return new Group(node.getCluster(), environment == null ? "" : environment.getStringValue());
        }
    }

    private static final Logger log = LoggerFactory.getLogger(XdsServer.class);

    private final int configuredPort;
    private final RoutingService routing;
    private final RoutingCache cache;
    private final XdsAuthentication authentication;
    private final XdsAcknowledgements acknowledgements;
    private final SimpleCache<Group> snapshots = new SimpleCache<>(Group::of);
    private final Map<Group, RoutingCache.Key> groups = new ConcurrentHashMap<>();
    private final Map<Group, Long> published = new ConcurrentHashMap<>();
    private volatile Server server;

    XdsServer(@Value("${qreg.xds.port:-1}") int configuredPort, RoutingService routing, RoutingCache cache,
            TokenService tokens, RoleHierarchy hierarchy) {
        this.configuredPort = configuredPort;
        this.routing = routing;
        this.cache = cache;
        this.authentication = new XdsAuthentication(tokens, hierarchy);
        this.acknowledgements = new XdsAcknowledgements(routing);
    }

    /** The port it listens on, once started; -1 when the endpoint is off. */
    int port() {
        Server s = server;
        return s == null ? -1 : s.getPort();
    }

    @Override
    public void start() {
        if (configuredPort < 0) {
            return;
        }
        cache.setFollower(this::publishToFollowers);
        V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(new Callbacks()), snapshots);
        try {
            server = Grpc.newServerBuilderForPort(configuredPort, InsecureServerCredentials.create())
                    .addService(ServerInterceptors.intercept(discovery.getAggregatedDiscoveryServiceImpl(),
                            authentication))
                    .build().start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for xDS on port " + configuredPort, e);
        }
        log.info("xDS (ADS over gRPC) for Envoy fleets on port {}", server.getPort());
    }

    @Override
    public void stop() {
        Server s = server;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }

    /** Sets up a node's group on its first request: follows its routing and publishes the current revision. */
    private void subscribe(Group group) throws RequestException {
        if (groups.containsKey(group)) {
            return;
        }
        if (group.deployment().isBlank()) {
            throw new RequestException(Status.INVALID_ARGUMENT.withDescription(
                    "node.cluster must name the deployment (and node metadata 'environment' its environment)"));
        }
        Revision current;
        try {
            RoutingCache.Key key = new RoutingCache.Key(group.deployment(),
                    routing.environment(group.deployment(), group.environment()));
            // Followed before reading, so a revision committed in between is not missed.
            cache.follow(key);
            current = routing.current(key.deployment(), key.environment());
            groups.put(group, key);
        } catch (ApiException e) {
            Status status = e.status() == HttpStatus.NOT_FOUND ? Status.NOT_FOUND : Status.INVALID_ARGUMENT;
            throw new RequestException(status.withDescription(e.getMessage()));
        }
        publish(group, current);
    }

    private void publishToFollowers(Revision revision) {
        RoutingCache.Key key = new RoutingCache.Key(revision.deployment(), revision.environment());
        groups.forEach((group, followed) -> {
            if (followed.equals(key)) {
                publish(group, revision);
            }
        });
    }

    /** Only forward: a slower thread cannot put back an older revision. */
    private synchronized void publish(Group group, Revision revision) {
        Long held = published.get(group);
        if (held != null && held >= revision.number()) {
            return;
        }
        snapshots.setSnapshot(group, EnvoySnapshots.of(revision));
        published.put(group, revision.number());
    }

    private final class Callbacks implements DiscoveryServerCallbacks {

        @Override
        public void onV3StreamRequest(long streamId, DiscoveryRequest request) throws RequestException {
            TokenService.TokenPrincipal caller = authentication.recheck();
            if (request.hasNode()) {
                Group group = Group.of(request.getNode());
                subscribe(group);
                acknowledgements.onRequest(groups.get(group), request, caller);
            }
        }

        @Override
        public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) throws RequestException {
            throw new RequestException(Status.UNIMPLEMENTED.withDescription(
                    "incremental xDS is not offered: use state-of-the-world ADS"));
        }
    }
}
