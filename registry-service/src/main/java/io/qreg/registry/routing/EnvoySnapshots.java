package io.qreg.registry.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;

/**
 * A routing revision as an xDS snapshot: the Envoy rendering (the same bytes {@code ?format=envoy}
 * serves, read strictly into Envoy's own RouteConfiguration) and one cluster per upstream it
 * names. The snapshot's version is the revision number, so it changes exactly when the routes do.
 *
 * <p>Clusters resolve by DNS to the Kubernetes Service named after each cluster, on the port the
 * Gateway API rendering uses ({@link RoutingFormats#SERVICE_PORT}): the registry knows which
 * variant serves, not where its replicas run. Listeners are the fleet's own (they point their
 * HTTP connection manager at this route configuration over ADS).
 */
final class EnvoySnapshots {

    private static final Duration CONNECT_TIMEOUT = Duration.newBuilder().setSeconds(5).build();

    private EnvoySnapshots() {
    }

    static Snapshot of(Revision revision) {
        RouteConfiguration routes = routes(revision);
        List<Cluster> clusters = new ArrayList<>();
        for (String name : clusterNames(routes)) {
            clusters.add(cluster(name));
        }
        return Snapshot.create(clusters, List.of(), List.of(), List.of(routes), List.of(), version(revision));
    }

    static String version(Revision revision) {
        return Long.toString(revision.number());
    }

    static RouteConfiguration routes(Revision revision) {
        RouteConfiguration.Builder builder = RouteConfiguration.newBuilder();
        try {
            JsonFormat.parser().merge(revision.rendered(RoutingFormats.ENVOY).text(), builder);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("the Envoy rendering of " + revision.deployment() + "/"
                    + revision.environment() + " revision " + revision.number() + " is not Envoy's", e);
        }
        return builder.build();
    }

    /** Every upstream a route may send to: weighted, mirrored, or named as its low-confidence fallback. */
    static Set<String> clusterNames(RouteConfiguration routes) {
        Set<String> names = new TreeSet<>();
        for (VirtualHost host : routes.getVirtualHostsList()) {
            for (Route route : host.getRoutesList()) {
                route.getRoute().getWeightedClusters().getClustersList().forEach(c -> names.add(c.getName()));
                route.getRoute().getRequestMirrorPoliciesList().forEach(m -> names.add(m.getCluster()));
                var qreg = route.getMetadata().getFilterMetadataMap().get(RoutingFormats.QREG);
                if (qreg != null && qreg.getFieldsMap().containsKey("fallback_cluster")) {
                    names.add(qreg.getFieldsMap().get("fallback_cluster").getStringValue());
                }
            }
        }
        return names;
    }

    private static Cluster cluster(String name) {
        SocketAddress service = SocketAddress.newBuilder().setAddress(name).setPortValue(RoutingFormats.SERVICE_PORT)
                .build();
        LbEndpoint endpoint = LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder()
                .setAddress(Address.newBuilder().setSocketAddress(service))).build();
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.STRICT_DNS)
                .setConnectTimeout(CONNECT_TIMEOUT)
                .setLoadAssignment(ClusterLoadAssignment.newBuilder().setClusterName(name)
                        .addEndpoints(LocalityLbEndpoints.newBuilder().addLbEndpoints(endpoint)))
                .build();
    }
}
