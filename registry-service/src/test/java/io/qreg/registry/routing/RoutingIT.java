package io.qreg.registry.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class RoutingIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("standard", "default", true),
            tier("premium", "precision", "fp32"), tier("edge", "edge", true));

    /** A deployment whose production has: premium on the FP32 checkpoint, edge on fp16, standard int8 with a 5% canary. */
    private record Scene(String deployment, Model model, String stable, String canary, String edge, String rolloutId) {
    }

    private Scene scene() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        ok(startCheckpointRollout(d, model, "production", "premium", List.of(100)), 201);
        String edge = variant(model, "fp16");
        makeStable(d, edge, "production", "edge");
        Canary standard = canaryOverStable(d, model);
        return new Scene(d, model, standard.stable(), standard.canary(), edge, standard.rolloutId());
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(element -> names.add(element.get("name").asString()));
        return names;
    }

    private HttpApi gateway() {
        return userWith("GATEWAY");
    }

    @Test
    void theRoutingDocumentHasTheArchitectureShapeAndValidatesAgainstThePublishedSchema() {
        Scene s = scene();
        HttpApi.Reply reply = ok(gateway().get("/api/v1/routing/" + s.deployment() + "?environment=production"), 200);
        JsonNode doc = reply.json();

        assertThat(doc.get("schemaVersion").asString()).isEqualTo("qreg.routing/v1");
        assertThat(doc.get("deployment").asString()).isEqualTo(s.deployment());
        assertThat(doc.get("environment").asString()).isEqualTo("production");
        assertThat(Instant.parse(doc.get("generatedAt").asString())).isBefore(Instant.now());
        assertThat(names(doc.get("rules"))).containsExactly("premium", "edge", "standard");
        JsonNode premium = rule(doc, "premium");
        assertThat(premium.get("match").get("headers").toString()).isEqualTo("{\"x-tier\":\"premium\"}");
        assertThat(premium.get("backends").get(0).get("precision").asString()).isEqualTo("fp32");
        assertThat(premium.get("backends").get(0).get("weight").asInt()).isEqualTo(100);
        assertThat(premium.has("fallback")).isFalse();
        JsonNode standard = rule(doc, "standard");
        assertThat(standard.get("match").size()).isZero();
        assertThat(weights(doc, "standard")).containsExactly(Map.entry(s.stable(), 95), Map.entry(s.canary(), 5));
        // Lower precision than premium's FP32: low-confidence answers go to the most precise backend.
        assertThat(standard.get("fallback").get("variant").asString()).isEqualTo(s.model().checkpointId());
        assertThat(standard.get("fallback").get("precision").asString()).isEqualTo("fp32");
        assertThat(standard.get("fallback").get("when").asString()).isEqualTo("low-confidence");
        assertThat(rule(doc, "edge").get("fallback").get("variant").asString()).isEqualTo(s.model().checkpointId());
        assertThat(rule(doc, "edge").get("edge").asBoolean()).isTrue();
        assertThat(doc.get("rollout").get("id").asString()).isEqualTo(s.rolloutId());
        assertThat(doc.get("rollout").get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(doc.get("rollout").get("steps").toString()).isEqualTo("[5,25,100]");
        assertThat(doc.get("rollout").get("stepIndex").asInt()).isZero();
        // Canonical JSON: keys sorted, no whitespace, so the bytes (and the ETag) depend on content only.
        // (Strings such as a fallback's thresholdReason are prose: whitespace is looked for outside them.)
        assertThat(reply.body()).startsWith("{\"deployment\":");
        assertThat(reply.body().replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")).doesNotContain(" ");

        Schema schema = publishedSchema();
        assertValid(schema, reply.body());
        assertValid(schema, routingBody(deployment(model("allowed"), TIERS), "staging"));
        String shadowed = shadowScene();
        assertValid(schema, routingBody(shadowed, "staging"));
        List<Error> broken = schema.validate(HttpApi.JSON.readTree(reply.body().replace("\"stable\"", "\"primary\"")));
        assertThat(broken).as("the schema rejects what it should").isNotEmpty();
    }

    private Schema publishedSchema() {
        HttpApi.Reply schemaReply = anonymous().get("/schemas/routing-v1.json");
        assertThat(schemaReply.status()).as("readable without a token").isEqualTo(200);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schemaReply.body());
    }

    private static void assertValid(Schema schema, String body) {
        List<Error> errors = schema.validate(HttpApi.JSON.readTree(body));
        assertThat(errors).as(body).isEmpty();
    }

    private String routingBody(String deployment, String environment) {
        return ok(engineer().get("/api/v1/routing/" + deployment + "?environment=" + environment), 200).body();
    }

    /** A staging tier whose candidate is a shadow (0%) next to its stable backend; returns the deployment. */
    private String shadowScene() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        makeStable(d, variant(model, "int8-dynamic"), "staging", "standard");
        ok(startRollout(d, variant(model, "int4-weight"), "staging", "standard", List.of(0, 100)), 201);
        return d;
    }

    @Test
    void theEtagIsTheBodysDigestAndAMatchingIfNoneMatchGets304WithoutABody() {
        Scene s = scene();
        String path = "/api/v1/routing/" + s.deployment() + "?environment=production";
        HttpApi.Reply first = ok(gateway().get(path), 200);
        String etag = first.header("ETag");
        assertThat(etag).isEqualTo("\"sha256:" + Fixtures.sha256(first.body().getBytes()) + "\"");

        HttpApi api = gateway();
        HttpApi.Reply again = api.send(api.request(path).header("If-None-Match", etag).GET());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(again.header("ETag")).isEqualTo(etag);
        assertThat(api.send(api.request(path).header("If-None-Match", "W/" + etag + ", \"other\"").GET()).status())
                .isEqualTo(304);

        ok(forceAdvance(s.rolloutId()), 200);
        HttpApi.Reply changed = api.send(api.request(path).header("If-None-Match", etag).GET());
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.header("ETag")).isNotEqualTo(etag);
        assertThat(changed.json().get("revision").asLong()).isEqualTo(first.json().get("revision").asLong() + 1);
    }

    @Test
    void aConditionalPollAnsweredFromMemoryStillRefusesWhatSecurityRefuses() {
        Scene s = scene();
        String path = "/api/v1/routing/" + s.deployment() + "?environment=production";
        String etag = ok(gateway().get(path), 200).header("ETag");
        java.util.function.Function<HttpApi, Integer> poll = api -> api.send(api.request(path)
                .header("If-None-Match", etag).GET()).status();

        assertThat(poll.apply(gateway())).isEqualTo(304);
        assertThat(poll.apply(userWith("VIEWER"))).isEqualTo(304);
        assertThat(poll.apply(userWith("APPROVER"))).as("reads, by the role hierarchy").isEqualTo(304);
        assertThat(poll.apply(userWith("WORKER"))).isEqualTo(403);
        assertThat(poll.apply(anonymous())).isEqualTo(401);
        assertThat(poll.apply(anonymous().as("qreg_not-a-real-token"))).isEqualTo(401);
        HttpApi viewer = userWith("VIEWER");
        String tokenId = viewer.get("/api/v1/tokens").json().get(0).get("id").asString();
        ok(viewer.delete("/api/v1/tokens/" + tokenId), 200);
        assertThat(poll.apply(viewer)).as("a revoked token").isEqualTo(401);
        HttpApi api = gateway();
        assertThat(api.send(api.request(path + "&format=envoy").header("If-None-Match", etag).GET()).status())
                .as("another rendering has another ETag").isEqualTo(200);
    }

    @Test
    void aLongPollReturnsWithin100MillisecondsOfARolloutStep() throws Exception {
        Scene s = scene();
        String path = "/api/v1/routing/" + s.deployment() + "?environment=production";
        HttpApi api = gateway();
        HttpApi.Reply current = ok(api.get(path), 200);
        long[] answeredAt = new long[1];
        CompletableFuture<HttpResponse<String>> poll = api.client().sendAsync(api.request(path + "&wait=30s")
                .header("If-None-Match", current.header("ETag")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> answeredAt[0] = System.nanoTime());
        Thread.sleep(500);
        assertThat(poll).as("nothing changed yet: the poll waits").isNotDone();

        ok(forceAdvance(s.rolloutId()), 200);
        long stepped = System.nanoTime();

        HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
        long latencyMillis = (answeredAt[0] - stepped) / 1_000_000;
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(HttpApi.JSON.readTree(answer.body()).get("revision").asLong())
                .isEqualTo(current.json().get("revision").asLong() + 1);
        assertThat(latencyMillis).as("ms from the step's response to the poll's answer").isLessThan(100);
    }

    @Test
    void aLongPollTimesOutWith304WhenNothingChanges() {
        Scene s = scene();
        String path = "/api/v1/routing/" + s.deployment() + "?environment=production";
        HttpApi api = gateway();
        String etag = ok(api.get(path), 200).header("ETag");
        long started = System.nanoTime();

        HttpApi.Reply timedOut = api.send(api.request(path + "&wait=1s").header("If-None-Match", etag).GET());

        long waited = (System.nanoTime() - started) / 1_000_000;
        assertThat(timedOut.status()).isEqualTo(304);
        assertThat(timedOut.header("ETag")).isEqualTo(etag);
        assertThat(waited).isBetween(900L, 5_000L);
        // A poll whose ETag is already stale is answered at once.
        HttpApi.Reply stale = api.send(api.request(path + "&wait=30s").header("If-None-Match", "\"sha256:old\"").GET());
        assertThat(stale.status()).isEqualTo(200);
        assertThat(api.get(path + "&wait=90s").status()).isEqualTo(400);
    }

    @Test
    void theEnvoyRenderingIsARouteConfigurationWithWeightedClustersAndHeaderMatches() {
        Scene s = scene();
        HttpApi.Reply reply = ok(gateway().get("/api/v1/routing/" + s.deployment()
                + "?environment=production&format=envoy"), 200);
        JsonNode config = reply.json();

        assertThat(config.get("name").asString()).isEqualTo(s.deployment() + ".production");
        JsonNode host = config.get("virtual_hosts").get(0);
        assertThat(host.get("domains").toString()).isEqualTo("[\"*\"]");
        JsonNode routes = host.get("routes");
        assertThat(names(routes)).containsExactly("premium", "edge", "standard");
        JsonNode premiumMatch = routes.get(0).get("match");
        assertThat(premiumMatch.get("prefix").asString()).isEqualTo("/");
        assertThat(premiumMatch.get("headers").toString())
                .isEqualTo("[{\"name\":\"x-tier\",\"string_match\":{\"exact\":\"premium\"}}]");
        assertThat(routes.get(2).get("match").has("headers")).as("the default route matches everything").isFalse();
        for (JsonNode route : routes) {
            JsonNode weighted = route.get("route").get("weighted_clusters");
            assertThat(weighted.has("total_weight")).as("deprecated in Envoy v3").isFalse();
            int sum = 0;
            for (JsonNode cluster : weighted.get("clusters")) {
                assertThat(cluster.get("name").asString()).matches("(v|cp)-[0-9a-f-]{36}");
                sum += cluster.get("weight").asInt();
            }
            assertThat(sum).isEqualTo(100);
        }
        JsonNode standard = routes.get(2).get("route").get("weighted_clusters").get("clusters");
        assertThat(standard.get(0).get("name").asString()).isEqualTo("v-" + s.stable());
        assertThat(standard.get(0).get("weight").asInt()).isEqualTo(95);
        assertThat(standard.get(1).get("name").asString()).isEqualTo("v-" + s.canary());
        assertThat(routes.get(0).get("route").get("weighted_clusters").get("clusters").get(0).get("name").asString())
                .isEqualTo("cp-" + s.model().checkpointId());
        assertThat(routes.get(2).get("metadata").get("filter_metadata").get("qreg").get("fallback_cluster")
                .asString()).isEqualTo("cp-" + s.model().checkpointId());

        JsonNode shadow = ok(engineer().get("/api/v1/routing/" + shadowScene() + "?environment=staging&format=envoy"),
                200).json().get("virtual_hosts").get(0).get("routes").get(0).get("route");
        assertThat(shadow.get("weighted_clusters").get("clusters").size()).isEqualTo(1);
        assertThat(shadow.get("request_mirror_policies").get(0).get("cluster").asString()).startsWith("v-");

        HttpApi api = gateway();
        String path = "/api/v1/routing/" + s.deployment() + "?environment=production&format=envoy";
        assertThat(api.send(api.request(path).header("If-None-Match", reply.header("ETag")).GET()).status())
                .isEqualTo(304);
        assertThat(reply.header("ETag")).isEqualTo("\"sha256:" + Fixtures.sha256(reply.body().getBytes()) + "\"");
    }

    @Test
    void theGatewayApiRenderingIsAnHttpRouteWithWeightedBackendRefsAndExactHeaderMatches() {
        Scene s = scene();
        JsonNode route = ok(gateway().get("/api/v1/routing/" + s.deployment()
                + "?environment=production&format=gateway-api"), 200).json();

        assertThat(route.get("apiVersion").asString()).isEqualTo("gateway.networking.k8s.io/v1");
        assertThat(route.get("kind").asString()).isEqualTo("HTTPRoute");
        assertThat(route.get("metadata").get("name").asString()).isEqualTo(s.deployment() + "-production");
        JsonNode rules = route.get("spec").get("rules");
        assertThat(rules.size()).isEqualTo(3);
        assertThat(rules.get(0).get("matches").get(0).get("headers").toString())
                .isEqualTo("[{\"name\":\"x-tier\",\"type\":\"Exact\",\"value\":\"premium\"}]");
        assertThat(rules.get(2).get("matches").get(0).has("headers")).isFalse();
        for (JsonNode rule : rules) {
            int sum = 0;
            for (JsonNode ref : rule.get("backendRefs")) {
                assertThat(ref.get("name").asString()).matches("(v|cp)-[0-9a-f-]{36}");
                assertThat(ref.get("port").asInt()).isEqualTo(80);
                sum += ref.get("weight").asInt();
            }
            assertThat(sum).isEqualTo(100);
        }
        assertThat(rules.get(2).get("backendRefs").get(1).get("name").asString()).isEqualTo("v-" + s.canary());
        assertThat(rules.get(2).get("backendRefs").get(1).get("weight").asInt()).isEqualTo(5);

        JsonNode shadow = ok(engineer().get("/api/v1/routing/" + shadowScene()
                + "?environment=staging&format=gateway-api"), 200).json().get("spec").get("rules").get(0);
        assertThat(shadow.get("backendRefs").size()).isEqualTo(1);
        assertThat(shadow.get("filters").get(0).get("type").asString()).isEqualTo("RequestMirror");
        assertThat(shadow.get("filters").get(0).get("requestMirror").get("backendRef").get("name").asString())
                .startsWith("v-");
        assertThat(gateway().get("/api/v1/routing/" + s.deployment() + "?environment=production&format=yaml")
                .status()).isEqualTo(400);
    }

    @Test
    void gatewaysAcknowledgeRevisionsAndTheViewShowsWhoIsBehind() {
        Scene s = scene();
        HttpApi gateway = gateway();
        long revision = routing(s.deployment(), "production").get("revision").asLong();

        JsonNode acked = ok(gateway.post("/api/v1/routing/" + s.deployment() + "/ack", Map.of("environment",
                "production", "revision", revision, "gateway", "envoy-eu-1")), 200).json();
        assertThat(acked.get("behind").asBoolean()).isFalse();
        JsonNode byAccount = ok(gateway.post("/api/v1/routing/" + s.deployment() + "/ack", Map.of("environment",
                "production", "revision", revision - 1)), 200).json();
        assertThat(byAccount.get("gateway").asString()).startsWith("u-");
        assertThat(byAccount.get("behind").asBoolean()).isTrue();

        ok(forceAdvance(s.rolloutId()), 200);
        JsonNode view = ok(engineer().get("/api/v1/routing/" + s.deployment() + "/gateways?environment=production"),
                200).json();
        assertThat(view.get("currentRevision").asLong()).isEqualTo(revision + 1);
        JsonNode eu = null;
        for (JsonNode g : view.get("gateways")) {
            if (g.get("gateway").asString().equals("envoy-eu-1")) {
                eu = g;
            }
        }
        assertThat(eu).isNotNull();
        assertThat(eu.get("revision").asLong()).isEqualTo(revision);
        assertThat(eu.get("behind").asBoolean()).isTrue();
        assertThat(eu.get("revisionsBehind").asLong()).isEqualTo(1);
        assertThat(eu.get("ackedAt").asString()).isNotBlank();
        assertThat(view.get("gateways").size()).isEqualTo(2);

        HttpApi.Reply future = gateway.post("/api/v1/routing/" + s.deployment() + "/ack", Map.of("environment",
                "production", "revision", revision + 50));
        assertThat(future.status()).isEqualTo(400);
        assertThat(future.json().get("field").asString()).isEqualTo("revision");
        assertThat(auditCount("routing.acknowledged", s.deployment() + "/production")).isEqualTo(2);
    }

    @Test
    void everyRevisionIsKeptAndCanBeReadBack() {
        Scene s = scene();
        ok(forceAdvance(s.rolloutId()), 200);
        String base = "/api/v1/routing/" + s.deployment();
        JsonNode list = ok(engineer().get(base + "/revisions?environment=production"), 200).json();
        List<Long> numbers = new ArrayList<>();
        list.get("items").forEach(i -> numbers.add(i.get("revision").asLong()));
        // 1 (created), premium, edge, standard, canary 5%, canary 25%.
        assertThat(numbers).containsExactly(6L, 5L, 4L, 3L, 2L, 1L);

        HttpApi.Reply five = ok(engineer().get(base + "/revisions/5?environment=production"), 200);
        assertThat(weights(five.json(), "standard")).containsExactly(Map.entry(s.stable(), 95),
                Map.entry(s.canary(), 5));
        assertThat(five.header("ETag")).isEqualTo(list.get("items").get(1).get("etag").asString());
        HttpApi.Reply six = ok(engineer().get(base + "/revisions/6?environment=production"), 200);
        assertThat(six.body()).isEqualTo(routingBody(s.deployment(), "production"));
        assertThat(ok(engineer().get(base + "/revisions/1?environment=production&format=envoy"), 200).json()
                .get("virtual_hosts").get(0).get("routes").size()).isZero();
        assertThat(engineer().get(base + "/revisions/99?environment=production").status()).isEqualTo(404);
        assertThat(engineer().get(base + "?environment=qa").status()).isEqualTo(404);
        assertThat(engineer().get(base).status()).as("two environments: one must be named").isEqualTo(400);
        assertThat(engineer().get("/api/v1/routing/no-such-deployment?environment=production").status())
                .isEqualTo(404);
    }

    @Test
    void historyAnswersWhichVariantServedATierAtATimeAndWhoApprovedIt() throws Exception {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        Instant beforeAnything = Instant.now();
        Thread.sleep(5);
        String first = variant(model, "int8-dynamic");
        String firstRollout = makeStable(d, first, "production", "standard").get("id").asString();
        String second = variant(model, "int8-dynamic");
        JsonNode rollout = ok(startRollout(d, second, "production", "standard", List.of(5, 100)), 201).json();
        Thread.sleep(5);
        Instant duringCanary = Instant.now();
        Thread.sleep(5);
        ok(forceAdvance(rollout.get("id").asString()), 200);
        Thread.sleep(5);
        Instant afterwards = Instant.now();

        JsonNode during = history(d, duringCanary);
        assertThat(during.get("tier").asString()).isEqualTo("standard");
        JsonNode stable = during.get("backends").get(0);
        assertThat(stable.get("variant").asString()).isEqualTo(first);
        assertThat(stable.get("weight").asInt()).isEqualTo(95);
        assertThat(stable.get("rolloutId").asString()).isEqualTo(firstRollout);
        assertThat(stable.get("signedBy").toString()).isEqualTo(signersOf(stable.get("approvalId").asString()));
        assertThat(stable.get("approvalId").asString()).isNotBlank();
        JsonNode canary = during.get("backends").get(1);
        assertThat(canary.get("variant").asString()).isEqualTo(second);
        assertThat(canary.get("role").asString()).isEqualTo("canary");
        assertThat(canary.get("rolloutId").asString()).isEqualTo(rollout.get("id").asString());
        assertThat(canary.get("approvalId").asString()).isEqualTo(rollout.get("approvalId").asString());

        JsonNode after = history(d, afterwards);
        assertThat(after.get("backends").size()).isEqualTo(1);
        assertThat(after.get("backends").get(0).get("variant").asString()).isEqualTo(second);
        assertThat(after.get("backends").get(0).get("rolloutId").asString()).isEqualTo(rollout.get("id").asString());

        JsonNode before = history(d, beforeAnything);
        assertThat(before.get("backends").size()).isZero();
        assertThat(engineer().get("/api/v1/deployments/" + d + "/history?at=yesterday").status()).isEqualTo(400);
    }

    private JsonNode history(String deployment, Instant at) {
        JsonNode entries = ok(engineer().get("/api/v1/deployments/" + deployment + "/history?at=" + at
                + "&environment=production&tier=standard"), 200).json().get("entries");
        assertThat(entries.size()).isEqualTo(1);
        return entries.get(0);
    }

    @Test
    void aRevisionAnotherInstanceCommitsReachesThisInstancesPollersThroughTheDatabase() throws Exception {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String path = "/api/v1/routing/" + d + "?environment=staging";
        HttpApi api = gateway();
        HttpApi.Reply current = ok(api.get(path), 200);
        CompletableFuture<HttpResponse<String>> poll = api.client().sendAsync(api.request(path + "&wait=30s")
                .header("If-None-Match", current.header("ETag")).GET().build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);

        // What another registry instance does when it publishes: insert the revision and announce it, in one
        // transaction. This instance's cache and long polls know nothing of it but the notification.
        String body = current.body().replace("\"revision\":1", "\"revision\":2");
        OtherInstance.publishesRevision2(jdbc, d, body);

        HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(body);
        assertThat(ok(api.get(path), 200).body()).isEqualTo(body);
    }
}
