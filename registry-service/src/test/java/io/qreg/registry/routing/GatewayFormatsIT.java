package io.qreg.registry.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.qreg.registry.rollout.RolloutTestSupport;

import org.junit.jupiter.api.Test;

/**
 * The Envoy and Gateway API renderings, read by the gateways' own definitions rather than by
 * assertions on their JSON: Envoy's generated API types (strict JSON parsing: an unknown or
 * misspelt field fails) and the HTTPRoute CRD's OpenAPI schema of a gateway-api release.
 */
class GatewayFormatsIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true),
            tier("premium", "precision", "fp32"));

    /** Production: premium on the FP32 checkpoint, standard int8 with a 5% canary; staging: a shadow candidate. */
    private record Scene(String deployment, Model model, String stable, String canary, String shadow) {
    }

    private Scene scene() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        ok(startCheckpointRollout(d, model, "production", "premium", List.of(100)), 201);
        Canary standard = canaryOverStable(d, model);
        makeStable(d, standard.stable(), "staging", "standard");
        String shadow = variant(model, "int4-weight");
        ok(startRollout(d, shadow, "staging", "standard", List.of(0, 100)), 201);
        return new Scene(d, model, standard.stable(), standard.canary(), shadow);
    }

    private String rendering(String deployment, String environment, String format) {
        return ok(userWith("GATEWAY").get("/api/v1/routing/" + deployment + "?environment=" + environment
                + "&format=" + format), 200).body();
    }

    static RouteConfiguration parseEnvoy(String json) throws InvalidProtocolBufferException {
        RouteConfiguration.Builder builder = RouteConfiguration.newBuilder();
        // JsonFormat.parser() refuses unknown fields unless told to ignore them.
        JsonFormat.parser().merge(json, builder);
        return builder.build();
    }

    @Test
    void theEnvoyRenderingParsesStrictlyIntoEnvoysOwnRouteConfiguration() throws Exception {
        Scene s = scene();
        RouteConfiguration config = parseEnvoy(rendering(s.deployment(), "production", "envoy"));

        assertThat(config.getName()).isEqualTo(s.deployment() + ".production");
        assertThat(config.getVirtualHostsCount()).isEqualTo(1);
        assertThat(config.getVirtualHosts(0).getDomainsList()).containsExactly("*");
        List<Route> routes = config.getVirtualHosts(0).getRoutesList();
        assertThat(routes).extracting(Route::getName).containsExactly("premium", "standard");
        Route premium = routes.get(0);
        assertThat(premium.getMatch().getPrefix()).isEqualTo("/");
        assertThat(premium.getMatch().getHeaders(0).getName()).isEqualTo("x-tier");
        assertThat(premium.getMatch().getHeaders(0).getStringMatch().getExact()).isEqualTo("premium");
        assertThat(clusters(premium)).containsExactly("cp-" + s.model().checkpointId() + "=100");
        Route standard = routes.get(1);
        assertThat(standard.getMatch().getHeadersCount()).isZero();
        assertThat(clusters(standard)).containsExactly("v-" + s.stable() + "=95", "v-" + s.canary() + "=5");
        var qreg = standard.getMetadata().getFilterMetadataOrThrow("qreg").getFieldsMap();
        assertThat(qreg.get("tier").getStringValue()).isEqualTo("standard");
        assertThat(qreg.get("fallback_cluster").getStringValue()).isEqualTo("cp-" + s.model().checkpointId());
        assertThat(qreg.get("fallback_when").getStringValue()).isEqualTo("low-confidence");

        Route shadowed = parseEnvoy(rendering(s.deployment(), "staging", "envoy")).getVirtualHosts(0).getRoutes(0);
        assertThat(clusters(shadowed)).containsExactly("v-" + s.stable() + "=100");
        var mirror = shadowed.getRoute().getRequestMirrorPolicies(0);
        assertThat(mirror.getCluster()).isEqualTo("v-" + s.shadow());
        assertThat(mirror.getRuntimeFraction().getDefaultValue().getNumerator()).isEqualTo(100);
        assertThat(mirror.getRuntimeFraction().getDefaultValue().getDenominator())
                .isEqualTo(FractionalPercent.DenominatorType.HUNDRED);
    }

    @Test
    void envoysParserRefusesAFieldEnvoyDoesNotHave() {
        Scene s = scene();
        String body = rendering(s.deployment(), "production", "envoy");
        // The check above can fail: the same parser refuses a misspelt field and a value of the wrong type.
        assertThatThrownBy(() -> parseEnvoy(body.replace("\"virtual_hosts\"", "\"virtual_host\"")))
                .isInstanceOf(InvalidProtocolBufferException.class).hasMessageContaining("virtual_host");
        assertThatThrownBy(() -> parseEnvoy(body.replace("\"HUNDRED\"", "\"PERCENT\"").replace("\"weight\":95",
                "\"weight\":\"heavy\""))).isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void theGatewayApiRenderingIsValidAgainstTheHttpRouteCrdSchemaOfAGatewayApiRelease() {
        Scene s = scene();
        HttpRouteSchema schema = HttpRouteSchema.load();
        String production = rendering(s.deployment(), "production", "gateway-api");
        String staging = rendering(s.deployment(), "staging", "gateway-api");

        assertThat(schema.validate(production)).as(production).isEmpty();
        assertThat(schema.validate(staging)).as("with a RequestMirror filter: " + staging).isEmpty();
        assertThat(staging).contains("\"RequestMirror\"");
        assertThat(production).contains("\"type\":\"Exact\"", "\"weight\":5");
    }

    @Test
    void theHttpRouteSchemaRefusesWhatTheCrdRefuses() {
        Scene s = scene();
        HttpRouteSchema schema = HttpRouteSchema.load();
        String body = rendering(s.deployment(), "staging", "gateway-api");
        // The check above can fail: a field HTTPRoute does not have, an enum value it does not
        // know, a weight past its maximum and a port out of range are each refused.
        assertThat(schema.validate(body.replace("\"backendRefs\"", "\"backends\""))).isNotEmpty();
        assertThat(schema.validate(body.replace("\"PathPrefix\"", "\"Prefix\""))).isNotEmpty();
        assertThat(schema.validate(body.replace("\"weight\":100", "\"weight\":1000001"))).isNotEmpty();
        assertThat(schema.validate(body.replace("\"port\":80", "\"port\":70000"))).isNotEmpty();
    }

    private static List<String> clusters(Route route) {
        List<String> named = new ArrayList<>();
        for (WeightedCluster.ClusterWeight c : route.getRoute().getWeightedClusters().getClustersList()) {
            named.add(c.getName() + "=" + c.getWeight().getValue());
        }
        return named;
    }
}
