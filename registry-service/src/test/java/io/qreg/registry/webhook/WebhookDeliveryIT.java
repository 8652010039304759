package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.databind.JsonNode;

/** Deliveries over real HTTP to a real receiver: signing, retries with backoff, giving up, leases, no duplicates. */
class WebhookDeliveryIT extends IntegrationTest {

    @Autowired
    WebhookOutbox outbox;

    @Autowired
    WebhookDispatcher dispatcher;

    @Autowired
    TransactionTemplate transaction;

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    private WebhookReceiver receiver(int fallback, int... first) {
        return receivers.answering(fallback, first);
    }

    private int enqueue(String type, String subjectId, Map<String, Object> data) {
        return transaction.execute(tx -> outbox.enqueue(type, "approval", subjectId, data));
    }

    @Test
    void aDeliveryIsSignedOverItsTimestampAndExactBodyAndCarriesTheEventAndDeliveryIds() {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receiver(200);
        String webhookId = Webhooks.subscribe(engineer, receiver.url(), List.of("*"), SECRET).get("id").asString();
        String approvalId = UUID.randomUUID().toString();
        assertThat(enqueue(WebhookEvents.APPROVAL_REQUESTED, approvalId,
                Map.of("variantId", "v-1", "deployment", "support-intent", "tier", "standard"))).isEqualTo(1);

        WebhookReceiver.Received request = receiver.await(1, Duration.ofSeconds(10)).get(0);
        JsonNode delivery = Webhooks.awaitOnlyDelivery(engineer, webhookId, "DELIVERED");

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/hooks/qreg");
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Upgrade")).as("plain HTTP/1.1, no h2c upgrade").isNull();
        assertThat(request.header("X-QReg-Event")).isEqualTo("approval.requested");
        assertThat(request.header("X-QReg-Delivery")).isEqualTo(delivery.get("id").asString());
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), request.body(), SECRET)).isTrue();
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), request.body(),
                SECRET.replace('a', 'b'))).as("another secret").isFalse();
        byte[] tampered = request.bodyText().replace("standard", "premium").getBytes();
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), tampered, SECRET))
                .as("a changed body").isFalse();

        JsonNode payload = request.json();
        assertThat(payload.get("id").asString()).isEqualTo(delivery.get("eventId").asString());
        assertThat(payload.get("type").asString()).isEqualTo("approval.requested");
        assertThat(payload.get("occurredAt").asString()).endsWith("Z");
        assertThat(payload.get("subject").get("type").asString()).isEqualTo("approval");
        assertThat(payload.get("subject").get("id").asString()).isEqualTo(approvalId);
        assertThat(payload.get("data").get("deployment").asString()).isEqualTo("support-intent");
        assertThat(request.bodyText()).as("canonical JSON").isEqualTo(CanonicalJson.write(payload));

        assertThat(delivery.get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(200);
        assertThat(delivery.get("lastError").isNull()).isTrue();
        assertThat(delivery.get("nextAttemptAt").isNull()).isTrue();
        assertThat(delivery.get("deliveredAt").isNull()).isFalse();
    }

    @Test
    void aReceiverFailingTwiceGetsTheSameDeliveryAndBodyThreeTimesWithBackoffAndItEndsDelivered() {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receiver(200, 500, 500);
        String webhookId = Webhooks.subscribe(engineer, receiver.url(), List.of("approval.decided"), SECRET)
                .get("id").asString();
        enqueue(WebhookEvents.APPROVAL_DECIDED, UUID.randomUUID().toString(), Map.of("status", "APPROVED"));

        List<WebhookReceiver.Received> requests = receiver.await(3, Duration.ofSeconds(15));
        JsonNode delivery = Webhooks.awaitOnlyDelivery(engineer, webhookId, "DELIVERED");

        assertThat(requests).hasSize(3);
        assertThat(requests).extracting(r -> r.header("X-QReg-Delivery")).containsOnly(delivery.get("id").asString());
        assertThat(requests).extracting(WebhookReceiver.Received::bodyText).containsOnly(requests.get(0).bodyText());
        assertThat(requests).allMatch(r -> Webhooks.signatureValid(r.header("X-QReg-Signature"), r.body(), SECRET));
        // Delays of 100 ms then 200 ms (test settings), each varied by at most 20%.
        assertThat(Duration.between(requests.get(0).at(), requests.get(1).at())).isGreaterThanOrEqualTo(
                Duration.ofMillis(80));
        assertThat(Duration.between(requests.get(1).at(), requests.get(2).at())).isGreaterThanOrEqualTo(
                Duration.ofMillis(160));
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(200);
        assertThat(delivery.get("lastError").isNull()).isTrue();
    }

    @Test
    void aReceiverThatAlwaysFailsEndsFailedAfterTheMaximumAttemptsAndIsNotCalledAgain() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receiver(503);
        String webhookId = Webhooks.subscribe(engineer, receiver.url(), List.of("*"), SECRET).get("id").asString();
        enqueue(WebhookEvents.APPROVAL_DECIDED, UUID.randomUUID().toString(), Map.of("status", "REJECTED"));

        JsonNode delivery = Webhooks.awaitOnlyDelivery(engineer, webhookId, "FAILED");
        Thread.sleep(800);

        assertThat(receiver.received()).hasSize(3);
        assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("maxAttempts").asInt()).isEqualTo(3);
        assertThat(delivery.get("lastStatusCode").asInt()).isEqualTo(503);
        assertThat(delivery.get("lastError").asString()).contains("HTTP 503");
        assertThat(delivery.get("nextAttemptAt").isNull()).isTrue();
    }

    @Test
    void aClosedPortAndAReceiverThatNeverAnswersFailWithTheSameErrorSoTheLogIsNoPortScanner() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver gone = receiver(200);
        String closedUrl = gone.url();
        gone.close();
        // Accepts connections (the port is open) and never answers: the request times out.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String closedId = Webhooks.subscribe(engineer, closedUrl, List.of("*"), SECRET).get("id").asString();
            String silentId = Webhooks.subscribe(engineer, "http://127.0.0.1:" + silent.getLocalPort() + "/hook",
                    List.of("*"), SECRET).get("id").asString();
            enqueue(WebhookEvents.APPROVAL_REQUESTED, UUID.randomUUID().toString(), Map.of());

            JsonNode closed = Webhooks.awaitOnlyDelivery(engineer, closedId, "FAILED");
            JsonNode silentDelivery = Eventually.eventually(Duration.ofSeconds(30),
                    () -> Webhooks.deliveries(engineer, silentId).get(0),
                    d -> "FAILED".equals(d.get("status").asString()), "the silent receiver's delivery to fail");

            assertThat(closed.get("attempts").asInt()).isEqualTo(3);
            assertThat(closed.get("lastStatusCode").isNull()).isTrue();
            assertThat(closed.get("lastError").asString()).isEqualTo(WebhookDispatcher.NO_ANSWER);
            assertThat(silentDelivery.get("attempts").asInt()).isEqualTo(3);
            assertThat(silentDelivery.get("lastError").asString()).isEqualTo(closed.get("lastError").asString());
        }
    }

    @Test
    void aDeliveryLeftInFlightByARegistryThatDiedIsSentOnceItsLeaseExpires() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receiver(200);
        String webhookId = Webhooks.subscribe(engineer, receiver.url(), List.of("*"), SECRET).get("id").asString();
        String subject = UUID.randomUUID().toString();
        // Queued and claimed in one go by an instance that then died: SENDING, attempt 1, a lease still running.
        transaction.executeWithoutResult(tx -> {
            outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", subject, Map.of("stepIndex", 1));
            jdbc.update("""
                    update webhook_delivery set status = 'SENDING', attempts = 1, next_attempt_at = null,
                           claim_token = ?, last_attempt_at = now(),
                           lease_expires_at = now() + interval '1500 milliseconds'
                     where subscription_id = ?::uuid""", UUID.randomUUID(), webhookId);
        });

        dispatcher.dispatchDue();
        Thread.sleep(300);
        assertThat(receiver.received()).as("nobody sends while the lease runs").isEmpty();

        WebhookReceiver.Received request = receiver.await(1, Duration.ofSeconds(10)).get(0);
        JsonNode delivery = Webhooks.awaitOnlyDelivery(engineer, webhookId, "DELIVERED");
        assertThat(request.json().get("subject").get("id").asString()).isEqualTo(subject);
        assertThat(delivery.get("attempts").asInt()).as("the lost attempt and this one").isEqualTo(2);
        assertThat(receiver.received()).hasSize(1);
    }

    @Test
    void dispatchersRacingOnOneDatabaseSendEachDeliveryExactlyOnce() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receiver(200);
        String webhookId = Webhooks.subscribe(engineer, receiver.url(), List.of("rollout.step"), SECRET)
                .get("id").asString();
        int events = 40;
        transaction.executeWithoutResult(tx -> {
            for (int i = 0; i < events; i++) {
                outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", "r-" + i, Map.of("stepIndex", i));
            }
        });
        ExecutorService racers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                running.add(racers.submit(() -> {
                    for (int i = 0; i < 20; i++) {
                        dispatcher.dispatchDue();
                    }
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            racers.shutdownNow();
        }

        Eventually.eventually(Duration.ofSeconds(20), () -> Webhooks.deliveries(engineer, webhookId),
                d -> d.size() == events && allDelivered(d), events + " deliveries to be DELIVERED");
        List<WebhookReceiver.Received> requests = receiver.received();
        Set<String> ids = new HashSet<>();
        requests.forEach(r -> ids.add(r.header("X-QReg-Delivery")));
        assertThat(requests).hasSize(events);
        assertThat(ids).hasSize(events);
        assertThat(jdbc.queryForObject("select sum(attempts) from webhook_delivery where subscription_id = ?::uuid",
                Integer.class, webhookId)).isEqualTo(events);
    }

    private static boolean allDelivered(JsonNode deliveries) {
        for (JsonNode d : deliveries) {
            if (!"DELIVERED".equals(d.get("status").asString())) {
                return false;
            }
        }
        return true;
    }
}
