package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/**
 * A registry as operators run it, without QREG_WEBHOOK_ALLOW_PRIVATE: receivers inside its network
 * are refused at creation, and subscriptions to them stored while the switch was on (first start)
 * are refused at delivery (second start), without a connection and without telling open ports
 * from closed ones.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivateWebhookTargetsIT {

    private EmbeddedPostgres postgres;
    private JdbcTemplate jdbc;
    private RegistryProcess registry;
    private HttpApi engineer;
    private WebhookReceiver receiver;
    private String openPortId;
    private String closedPortId;

    @BeforeAll
    void storeSubscriptionsWhileAllowedThenRestartWithoutTheSwitch(@TempDir Path dir) throws Exception {
        postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
        jdbc = new JdbcTemplate(postgres.getPostgresDatabase());
        Map<String, String> database = Map.of(
                "QREG_DB_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                "QREG_DB_USER", "postgres", "QREG_DB_PASSWORD", "");
        Path data = dir.resolve("qreg-data");
        receiver = WebhookReceiver.ok();
        WebhookReceiver gone = WebhookReceiver.ok();
        String closedUrl = gone.url();
        gone.close();

        Map<String, String> allowed = new java.util.HashMap<>(database);
        allowed.put("QREG_WEBHOOK_ALLOW_PRIVATE", "true");
        try (RegistryProcess first = RegistryProcess.start(data, "384m", allowed)) {
            HttpApi admin = first.api(IntegrationTest.ADMIN_TOKEN);
            admin.post("/api/v1/users", Map.of("username", "eng", "roles", List.of("ENGINEER")));
            String token = admin.post("/api/v1/tokens", Map.of("name", "t", "username", "eng"))
                    .json().get("token").asString();
            HttpApi eng = first.api(token);
            openPortId = Webhooks.subscribe(eng, receiver.url(), List.of("*"), SECRET).get("id").asString();
            closedPortId = Webhooks.subscribe(eng, closedUrl, List.of("*"), SECRET).get("id").asString();
            // While allowed, the receiver is reachable: what follows is the switch's doing, not the network's.
            eng.post("/api/v1/webhooks/" + openPortId + "/test", "");
            receiver.await(1, Duration.ofSeconds(15));
            first.stop();
            registry = RegistryProcess.start(data, "384m", database);
            engineer = registry.api(token);
        }
    }

    @AfterAll
    void stop() throws Exception {
        if (registry != null) {
            registry.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyTargetInsideTheNetworkIsRefusedWith422NamingTheUrlAndNothingIsStored() {
        long subscriptionsBefore = jdbc.queryForObject("select count(*) from webhook_subscription", Long.class);
        long auditBefore = jdbc.queryForObject("select count(*) from audit_event", Long.class);
        List<String> inside = List.of(receiver.url(), "http://[::1]/hook", "http://0.0.0.0/hook",
                "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/hook",
                "http://224.0.0.1/hook", "http://localhost:" + postgres.getPort() + "/", "http://192.168.1.20/hook",
                "http://172.16.0.5/hook", "http://[::ffff:127.0.0.1]/hook", "http://[fe80::1]/hook",
                "http://100.64.0.1/hook");

        for (String url : inside) {
            HttpApi.Reply reply = engineer.post("/api/v1/webhooks", Map.of("url", url, "events", List.of("*")));
            assertThat(reply.status()).as(url + ": " + reply.body()).isEqualTo(422);
            assertThat(reply.isProblem()).as(url).isTrue();
            assertThat(reply.json().get("field").asString()).as(url).isEqualTo("url");
            assertThat(reply.json().get("detail").asString()).as(url).contains("QREG_WEBHOOK_ALLOW_PRIVATE");
        }

        assertThat(jdbc.queryForObject("select count(*) from webhook_subscription", Long.class))
                .isEqualTo(subscriptionsBefore);
        assertThat(jdbc.queryForObject("select count(*) from audit_event", Long.class)).isEqualTo(auditBefore);
        // A public address is accepted (creation connects to nothing, so no network is needed).
        assertThat(engineer.post("/api/v1/webhooks", Map.of("url", "http://93.184.215.14/hook",
                "events", List.of("approval.decided"))).status()).isEqualTo(201);
    }

    @Test
    void aSubscriptionStoredWhileAllowedIsRefusedAtDeliveryWithoutConnectingOrRevealingThePort() throws Exception {
        int receivedBefore = receiver.received().size();

        assertThat(engineer.post("/api/v1/webhooks/" + openPortId + "/test", "").status()).isEqualTo(202);
        assertThat(engineer.post("/api/v1/webhooks/" + closedPortId + "/test", "").status()).isEqualTo(202);

        JsonNode open = awaitFailedPing(openPortId);
        JsonNode closed = awaitFailedPing(closedPortId);
        assertThat(open.get("attempts").asInt()).as("refused, not retried").isEqualTo(1);
        assertThat(open.get("lastStatusCode").isNull()).isTrue();
        assertThat(open.get("lastError").asString()).startsWith(WebhookTargetPolicy.REFUSED);
        assertThat(closed.get("lastError").asString()).as("open and closed ports look alike")
                .isEqualTo(open.get("lastError").asString());
        Thread.sleep(500);
        assertThat(receiver.received()).as("no connection was made").hasSize(receivedBefore);
    }

    private JsonNode awaitFailedPing(String webhookId) {
        return Eventually.eventually(Duration.ofSeconds(15),
                () -> engineer.get("/api/v1/webhooks/" + webhookId + "/deliveries?status=FAILED").json().get("items"),
                items -> items.size() == 1, "the ping to " + webhookId + " to fail").get(0);
    }
}
