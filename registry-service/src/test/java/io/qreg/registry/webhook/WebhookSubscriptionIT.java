package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.IllegalTransactionStateException;
import org.springframework.transaction.support.TransactionTemplate;


/** Subscriptions through the API and the outbox's contract: secrets, filters, deletion, validation, transactions. */
class WebhookSubscriptionIT extends IntegrationTest {

    @Autowired
    WebhookSecretCipher cipher;

    @Autowired
    WebhookOutbox outbox;

    @Autowired
    TransactionTemplate transaction;

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    @Test
    void aGeneratedSecretIsShownOnceAndSignsThePingTheTestEndpointSends() {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receivers.ok();
        HttpApi.Reply created = engineer.post("/api/v1/webhooks",
                Map.of("url", receiver.url(), "events", List.of("variant.ready"), "description", "CI pipeline"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().get("id").asString();
        String secret = created.json().get("secret").asString();
        assertThat(created.header("Location")).isEqualTo("/api/v1/webhooks/" + id);
        assertThat(secret).startsWith("whsec_").hasSizeGreaterThan(40);
        assertThat(created.json().get("events").get(0).asString()).isEqualTo("variant.ready");

        HttpApi.Reply read = engineer.get("/api/v1/webhooks/" + id);
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("url").asString()).isEqualTo(receiver.url());
        assertThat(read.json().get("description").asString()).isEqualTo("CI pipeline");
        assertThat(read.body()).doesNotContain(secret).doesNotContain("\"secret\"");
        assertThat(engineer.get("/api/v1/webhooks?size=200").body()).contains(id).doesNotContain(secret);

        HttpApi.Reply ping = engineer.post("/api/v1/webhooks/" + id + "/test", "");
        assertThat(ping.status()).as(ping.body()).isEqualTo(202);
        assertThat(ping.json().get("eventType").asString()).isEqualTo("ping");

        WebhookReceiver.Received request = receiver.await(1, Duration.ofSeconds(10)).get(0);
        assertThat(request.header("X-QReg-Event")).isEqualTo("ping");
        assertThat(request.header("X-QReg-Delivery")).isEqualTo(ping.json().get("id").asString());
        assertThat(Webhooks.signatureValid(request.header("X-QReg-Signature"), request.body(), secret)).isTrue();
        assertThat(request.json().get("subject").get("id").asString()).isEqualTo(id);
        assertThat(Webhooks.awaitOnlyDelivery(engineer, id, "DELIVERED").get("eventType").asString())
                .isEqualTo("ping");
    }

    @Test
    void anOwnSecretIsKeptEncryptedAndNeverEchoed() {
        HttpApi engineer = userWith("ENGINEER");
        HttpApi.Reply created = engineer.post("/api/v1/webhooks",
                Map.of("url", "https://chat.example.com/hooks/T000/B000", "events", List.of("*"), "secret", SECRET));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("secret").isNull()).isTrue();
        assertThat(created.body()).doesNotContain(SECRET);
        String id = created.json().get("id").asString();
        var stored = jdbc.queryForMap("select secret, secret_ciphertext from webhook_subscription where id = ?::uuid",
                id);
        assertThat(stored.get("secret")).as("no plaintext column value").isNull();
        assertThat(cipher.decrypt(UUID.fromString(id), (String) stored.get("secret_ciphertext"))).isEqualTo(SECRET);
    }

    @Test
    void onlySubscriptionsWhoseFilterNamesTheEventReceiveIt() {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceivers.Subscription variants = receivers.subscription(engineer, "variant.ready");
        WebhookReceiver approvals = receivers.subscription(engineer, "approval.decided", "rollout.step").receiver();
        WebhookReceiver everything = receivers.subscription(engineer, "*").receiver();

        int queued = transaction.execute(tx -> outbox.enqueue(WebhookEvents.APPROVAL_DECIDED, "approval",
                UUID.randomUUID().toString(), Map.of("status", "APPROVED")));

        assertThat(queued).isEqualTo(2);
        assertThat(approvals.await(1, Duration.ofSeconds(10)).get(0).header("X-QReg-Event"))
                .isEqualTo("approval.decided");
        assertThat(everything.await(1, Duration.ofSeconds(10)).get(0).header("X-QReg-Event"))
                .isEqualTo("approval.decided");
        assertThat(variants.receiver().received()).isEmpty();
        assertThat(Webhooks.deliveries(engineer, variants.id())).isEmpty();
    }

    @Test
    void nothingIsQueuedOrSentWhenTheSurroundingTransactionRollsBack() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receivers.subscription(engineer, "*").receiver();
        String subject = UUID.randomUUID().toString();

        assertThatThrownBy(() -> transaction.executeWithoutResult(tx -> {
            assertThat(outbox.enqueue(WebhookEvents.ROLLOUT_ROLLBACK, "rollout", subject, Map.of())).isEqualTo(1);
            throw new IllegalStateException("the rollback itself failed");
        })).hasMessageContaining("the rollback itself failed");
        Thread.sleep(600);

        assertThat(jdbc.queryForObject("select count(*) from webhook_event where subject_id = ?", Integer.class,
                subject)).isZero();
        assertThat(receiver.received()).isEmpty();
    }

    @Test
    void enqueueingOutsideATransactionIsRefused() {
        String subject = UUID.randomUUID().toString();
        assertThatThrownBy(() -> outbox.enqueue(WebhookEvents.VARIANT_READY, "variant", subject, Map.of()))
                .isInstanceOf(IllegalTransactionStateException.class);
        assertThatThrownBy(() -> transaction.execute(tx -> outbox.enqueue("variant.deleted", "variant", subject,
                Map.of()))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("variant.ready");
        assertThat(jdbc.queryForObject("select count(*) from webhook_event where subject_id = ?", Integer.class,
                subject)).isZero();
    }

    @Test
    void aDeletedSubscriptionGetsNothingNewAndWhatItHadWaitingIsCancelled() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceivers.Subscription hook = receivers.subscription(engineer, "*");
        // A retry an hour away, as if the receiver had been down.
        transaction.executeWithoutResult(tx -> {
            outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", "r-waiting", Map.of());
            jdbc.update("update webhook_delivery set attempts = 1, next_attempt_at = now() + interval '1 hour'"
                    + " where subscription_id = ?::uuid", hook.id());
        });

        HttpApi.Reply deleted = engineer.delete("/api/v1/webhooks/" + hook.id());
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        int queued = transaction.execute(tx -> outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", "r-after",
                Map.of()));
        Thread.sleep(600);

        assertThat(queued).isZero();
        assertThat(hook.receiver().received()).isEmpty();
        assertThat(jdbc.queryForList("select status from webhook_delivery where subscription_id = ?::uuid",
                String.class, hook.id())).containsExactly("CANCELLED");
        HttpApi.Reply gone = engineer.get("/api/v1/webhooks/" + hook.id());
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.isProblem()).isTrue();
        assertThat(engineer.get("/api/v1/webhooks?size=200").body()).doesNotContain(hook.id());
        assertThat(engineer.delete("/api/v1/webhooks/" + hook.id()).status()).isEqualTo(404);
        assertThat(engineer.post("/api/v1/webhooks/" + hook.id() + "/test", "").status()).isEqualTo(404);
    }

    @Test
    void anEventQueuedWhileItsSubscriptionIsBeingDeletedIsCancelledNotSent() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceivers.Subscription hook = receivers.subscription(engineer, "*");

        transaction.executeWithoutResult(tx -> {
            assertThat(outbox.enqueue(WebhookEvents.ROLLOUT_STEP, "rollout", "r-racing", Map.of())).isEqualTo(1);
            assertThat(engineer.delete("/api/v1/webhooks/" + hook.id()).status()).isEqualTo(200);
        });

        Eventually.eventually(Duration.ofSeconds(10), () -> jdbc.queryForList(
                "select status from webhook_delivery where subscription_id = ?::uuid", String.class, hook.id()),
                s -> s.equals(List.of("CANCELLED")), "the racing delivery to be cancelled");
        Thread.sleep(300);
        assertThat(hook.receiver().received()).isEmpty();
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndWritesNothing() {
        HttpApi engineer = userWith("ENGINEER");
        long subscriptionsBefore = count("webhook_subscription");
        long auditBefore = jdbc.queryForObject("select count(*) from audit_event where action = 'webhook.created'",
                Long.class);
        Map<String, Map<String, Object>> cases = new java.util.LinkedHashMap<>();
        cases.put("url", Map.of("events", List.of("*")));
        cases.put("url ftp", Map.of("url", "ftp://ci.example.com/hook", "events", List.of("*")));
        cases.put("url relative", Map.of("url", "/hooks/qreg", "events", List.of("*")));
        cases.put("url syntax", Map.of("url", "https://ci example.com/hook", "events", List.of("*")));
        cases.put("url no host", Map.of("url", "http:///hook", "events", List.of("*")));
        cases.put("url javascript", Map.of("url", "javascript:alert(1)", "events", List.of("*")));
        cases.put("url credentials", Map.of("url", "https://bot:pw@ci.example.com/hook", "events", List.of("*")));
        cases.put("events", Map.of("url", "https://ci.example.com/hook"));
        cases.put("events empty", Map.of("url", "https://ci.example.com/hook", "events", List.of()));
        cases.put("events unknown", Map.of("url", "https://ci.example.com/hook",
                "events", List.of("variant.ready", "variant.deleted")));
        cases.put("events star and more", Map.of("url", "https://ci.example.com/hook",
                "events", List.of("*", "variant.ready")));
        cases.put("secret", Map.of("url", "https://ci.example.com/hook", "events", List.of("*"), "secret", "short"));
        cases.put("description", Map.of("url", "https://ci.example.com/hook", "events", List.of("*"),
                "description", "x".repeat(501)));

        cases.forEach((name, body) -> {
            HttpApi.Reply reply = engineer.post("/api/v1/webhooks", new HashMap<>(body));
            assertThat(reply.status()).as(name + ": " + reply.body()).isEqualTo(400);
            assertThat(reply.isProblem()).as(name).isTrue();
            assertThat(reply.json().get("field").asString()).as(name).isEqualTo(name.split(" ")[0]);
            assertThat(reply.json().get("detail").asString()).as(name).isNotBlank();
        });
        assertThat(engineer.post("/api/v1/webhooks", "{\"url\": ").status()).isEqualTo(400);

        assertThat(count("webhook_subscription")).isEqualTo(subscriptionsBefore);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'webhook.created'",
                Long.class)).isEqualTo(auditBefore);
    }

    @Test
    void unknownSubscriptionsAndBadFiltersAreProblems() {
        HttpApi engineer = userWith("ENGINEER");
        String unknown = "/api/v1/webhooks/" + UUID.randomUUID();
        for (HttpApi.Reply reply : List.of(engineer.get(unknown), engineer.delete(unknown),
                engineer.get(unknown + "/deliveries"), engineer.post(unknown + "/test", ""))) {
            assertThat(reply.status()).isEqualTo(404);
            assertThat(reply.isProblem()).isTrue();
            assertThat(reply.json().get("detail").asString()).contains("does not exist");
        }
        String id = Webhooks.subscribe(engineer, "https://ci.example.com/hook", List.of("*"), SECRET)
                .get("id").asString();
        HttpApi.Reply badStatus = engineer.get("/api/v1/webhooks/" + id + "/deliveries?status=LOST");
        assertThat(badStatus.status()).isEqualTo(400);
        assertThat(badStatus.json().get("field").asString()).isEqualTo("status");
    }

    @Test
    void creationTestAndDeletionAreAuditedWithoutTheUrlOrTheSecret() {
        HttpApi engineer = userWith("ENGINEER");
        String url = "http://127.0.0.1:9/services/T0001/B0002/token-in-the-path";
        String id = Webhooks.subscribe(engineer, url, List.of("approval.requested"), SECRET).get("id").asString();
        engineer.post("/api/v1/webhooks/" + id + "/test", "");
        engineer.delete("/api/v1/webhooks/" + id);

        List<Map<String, Object>> events = jdbc.queryForList(
                "select action, actor, details from audit_event where subject_type = 'webhook' and subject_id = ?"
                        + " order by seq", id);
        assertThat(events).extracting(e -> e.get("action"))
                .containsExactly("webhook.created", "webhook.tested", "webhook.deleted");
        assertThat(events).allSatisfy(e -> {
            assertThat(String.valueOf(e.get("details"))).doesNotContain("token-in-the-path").doesNotContain(SECRET);
            assertThat(e.get("actor")).isNotEqualTo("system");
        });
        assertThat(String.valueOf(events.get(0).get("details"))).contains("127.0.0.1");
    }

    private long count(String table) {
        return jdbc.queryForObject("select count(*) from " + table, Long.class);
    }
}
