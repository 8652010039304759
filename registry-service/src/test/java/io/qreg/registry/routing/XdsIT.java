package io.qreg.registry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.Eventually;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * The xDS endpoint spoken to as an Envoy speaks it (ADS over gRPC, see {@link AdsClient}): the
 * snapshot it serves is the Envoy rendering the HTTP API serves, a routing change reaches the open
 * stream as a new version, and only a token that may read routing configs gets anything.
 */
class XdsIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true));
    private static final long WAIT_SECONDS = 10;

    @Autowired
    private XdsServer xds;

    private record Scene(String deployment, String stable, String canary, String rolloutId) {
    }

    /** Production's standard tier: int8 stable with a 5% canary (steps 5, 25, 100). */
    private Scene scene() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        Canary standard = canaryOverStable(d, model);
        return new Scene(d, standard.stable(), standard.canary(), standard.rolloutId());
    }

    private String tokenWith(String role) {
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin().post("/api/v1/users", Map.of("username", username, "roles", List.of(role))), 201);
        return ok(admin().post("/api/v1/tokens", Map.of("name", "xds", "username", username)), 201).json()
                .get("token").asString();
    }

    private String envoyOverHttp(String deployment) {
        return ok(engineer().get("/api/v1/routing/" + deployment + "?environment=production&format=envoy"), 200)
                .body();
    }

    @Test
    void anEnvoySubscribedOverAdsGetsTheRoutesAndClustersAndEveryNewRevision() throws Exception {
        Scene s = scene();
        long revision = routing(s.deployment(), "production").get("revision").asLong();
        assertThat(xds.port()).as("qreg.xds.port is set for the tests").isPositive();
        try (AdsClient envoy = new AdsClient(xds.port(), tokenWith("GATEWAY"), s.deployment(), "production")) {
            envoy.request(AdsClient.CLUSTERS, "", "");
            DiscoveryResponse clusters = envoy.next(WAIT_SECONDS);
            assertThat(clusters).as("a CDS response").isNotNull();
            assertThat(clusters.getTypeUrl()).isEqualTo(AdsClient.CLUSTERS);
            assertThat(clusters.getVersionInfo()).isEqualTo(Long.toString(revision));
            List<String> names = new ArrayList<>();
            for (var any : clusters.getResourcesList()) {
                Cluster c = any.unpack(Cluster.class);
                names.add(c.getName());
                assertThat(c.getType()).isEqualTo(Cluster.DiscoveryType.STRICT_DNS);
                assertThat(c.getLoadAssignment().getEndpoints(0).getLbEndpoints(0).getEndpoint().getAddress()
                        .getSocketAddress().getAddress()).isEqualTo(c.getName());
            }
            assertThat(names).contains("v-" + s.stable(), "v-" + s.canary());

            String routeName = s.deployment() + ".production";
            envoy.request(AdsClient.CLUSTERS, clusters.getVersionInfo(), clusters.getNonce());
            envoy.request(AdsClient.ROUTES, "", "", routeName);
            DiscoveryResponse routes = envoy.next(WAIT_SECONDS);
            assertThat(routes).as("an RDS response").isNotNull();
            assertThat(routes.getTypeUrl()).isEqualTo(AdsClient.ROUTES);
            RouteConfiguration served = routes.getResources(0).unpack(RouteConfiguration.class);
            assertThat(served).as("the same routes as GET ?format=envoy")
                    .isEqualTo(GatewayFormatsIT.parseEnvoy(envoyOverHttp(s.deployment())));
            assertThat(weights(served)).containsExactly("v-" + s.stable() + "=95", "v-" + s.canary() + "=5");
            envoy.request(AdsClient.ROUTES, routes.getVersionInfo(), routes.getNonce(), routeName);
            assertThat(acknowledgedRevision(s.deployment(), envoy.nodeId(), revision))
                    .as("the ADS ACK is a gateway acknowledgement").isEqualTo(revision);

            ok(forceAdvance(s.rolloutId()), 200);

            DiscoveryResponse first = envoy.next(WAIT_SECONDS);
            DiscoveryResponse second = envoy.next(WAIT_SECONDS);
            assertThat(first).as("the change reaches the open stream").isNotNull();
            assertThat(second).as("both subscribed types are updated").isNotNull();
            DiscoveryResponse newRoutes = first.getTypeUrl().equals(AdsClient.ROUTES) ? first : second;
            assertThat(newRoutes.getTypeUrl()).isEqualTo(AdsClient.ROUTES);
            assertThat(newRoutes.getVersionInfo()).isEqualTo(Long.toString(revision + 1));
            RouteConfiguration updated = newRoutes.getResources(0).unpack(RouteConfiguration.class);
            assertThat(weights(updated)).containsExactly("v-" + s.stable() + "=75", "v-" + s.canary() + "=25");
            assertThat(updated).isEqualTo(GatewayFormatsIT.parseEnvoy(envoyOverHttp(s.deployment())));
            envoy.request(AdsClient.ROUTES, newRoutes.getVersionInfo(), newRoutes.getNonce(), routeName);
            assertThat(acknowledgedRevision(s.deployment(), envoy.nodeId(), revision + 1)).isEqualTo(revision + 1);
            assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'routing.acknowledged'"
                    + " and subject_id = ? and actor like 'u-%'", Long.class, s.deployment() + "/production"))
                    .as("audited, by the gateway's account").isEqualTo(2);
        }
    }

    @Test
    void aRevisionAnotherInstanceCommitsReachesOpenAdsStreamsThroughTheDatabase() throws Exception {
        String d = deployment(model("allowed"), TIERS);
        String current = ok(engineer().get("/api/v1/routing/" + d + "?environment=staging"), 200).body();
        try (AdsClient envoy = new AdsClient(xds.port(), tokenWith("VIEWER"), d, "staging")) {
            envoy.request(AdsClient.CLUSTERS, "", "");
            DiscoveryResponse first = envoy.next(WAIT_SECONDS);
            assertThat(first).as("VIEWER may read routing configs, over xDS too").isNotNull();
            assertThat(first.getVersionInfo()).isEqualTo("1");
            envoy.request(AdsClient.CLUSTERS, first.getVersionInfo(), first.getNonce());

            // What another registry instance does when it publishes: insert and announce in one transaction.
            String body = current.replace("\"revision\":1", "\"revision\":2");
            OtherInstance.publishesRevision2(jdbc, d, body);

            DiscoveryResponse pushed = envoy.next(WAIT_SECONDS);
            assertThat(pushed).as("pushed on the notification alone").isNotNull();
            assertThat(pushed.getVersionInfo()).isEqualTo("2");
        }
    }

    /** The revision the gateways view shows for this node, once it shows the one awaited (or what it shows then). */
    private long acknowledgedRevision(String deployment, String node, long awaited) {
        return Eventually.eventually(Duration.ofSeconds(WAIT_SECONDS), () -> {
            for (JsonNode g : ok(engineer().get("/api/v1/routing/" + deployment + "/gateways?environment=production"),
                    200).json().get("gateways")) {
                if (g.get("gateway").asString().equals(node)) {
                    return g.get("revision").asLong();
                }
            }
            return -1L;
        }, r -> r == awaited, "node " + node + " at revision " + awaited);
    }

    @Test
    void aClientWithoutATokenOrWithAnotherRolesTokenIsRefused() throws Exception {
        Scene s = scene();
        try (AdsClient anonymous = new AdsClient(xds.port(), null, s.deployment(), "production")) {
            anonymous.request(AdsClient.CLUSTERS, "", "");
            assertThat(Status.fromThrowable(anonymous.ending(WAIT_SECONDS)).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(anonymous.next(0)).as("nothing was sent").isNull();
        }
        try (AdsClient forged = new AdsClient(xds.port(), "qreg_not-a-real-token", s.deployment(), "production")) {
            forged.request(AdsClient.CLUSTERS, "", "");
            assertThat(Status.fromThrowable(forged.ending(WAIT_SECONDS)).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        try (AdsClient worker = new AdsClient(xds.port(), tokenWith("WORKER"), s.deployment(), "production")) {
            worker.request(AdsClient.CLUSTERS, "", "");
            assertThat(Status.fromThrowable(worker.ending(WAIT_SECONDS)).getCode())
                    .isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(worker.next(0)).isNull();
        }
        try (AdsClient unknown = new AdsClient(xds.port(), tokenWith("GATEWAY"), "no-such-deployment", "production")) {
            unknown.request(AdsClient.CLUSTERS, "", "");
            assertThat(Status.fromThrowable(unknown.ending(WAIT_SECONDS)).getCode()).isEqualTo(Status.Code.NOT_FOUND);
        }
    }

    @Test
    void aTokenRevokedWhileItsStreamIsOpenIsRefusedOnItsNextRequest() throws Exception {
        Scene s = scene();
        String token = tokenWith("GATEWAY");
        try (AdsClient envoy = new AdsClient(xds.port(), token, s.deployment(), "production")) {
            envoy.request(AdsClient.CLUSTERS, "", "");
            DiscoveryResponse clusters = envoy.next(WAIT_SECONDS);
            assertThat(clusters).isNotNull();
            var gateway = admin().as(token);
            String tokenId = ok(gateway.get("/api/v1/tokens"), 200).json().get(0).get("id").asString();
            ok(admin().delete("/api/v1/tokens/" + tokenId), 200);
            envoy.request(AdsClient.CLUSTERS, clusters.getVersionInfo(), clusters.getNonce());
            assertThat(Status.fromThrowable(envoy.ending(WAIT_SECONDS)).getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
    }

    private static List<String> weights(RouteConfiguration config) {
        List<String> named = new ArrayList<>();
        config.getVirtualHosts(0).getRoutes(0).getRoute().getWeightedClusters().getClustersList()
                .forEach(c -> named.add(c.getName() + "=" + c.getWeight().getValue()));
        return named;
    }
}
