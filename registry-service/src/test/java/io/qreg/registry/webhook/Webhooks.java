package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;

import org.springframework.jdbc.core.JdbcTemplate;

import tools.jackson.databind.JsonNode;

/** What the webhook tests share: subscribing, reading deliveries, waiting, checking signatures as receivers do. */
final class Webhooks {

    static final String SECRET = "a-receivers-shared-secret-0123456789";

    private Webhooks() {
    }

    /** Subscribes through the API; returns the created subscription. */
    static JsonNode subscribe(HttpApi engineer, String url, List<String> events, String secret) {
        Map<String, Object> body = new HashMap<>(Map.of("url", url, "events", events, "description", "test hook"));
        if (secret != null) {
            body.put("secret", secret);
        }
        HttpApi.Reply created = engineer.post("/api/v1/webhooks", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    static JsonNode deliveries(HttpApi engineer, String webhookId) {
        HttpApi.Reply reply = engineer.get("/api/v1/webhooks/" + webhookId + "/deliveries?size=200");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().get("items");
    }

    /** Waits until the subscription's only delivery reaches {@code status}; returns it. */
    static JsonNode awaitOnlyDelivery(HttpApi engineer, String webhookId, String status) {
        JsonNode items = Eventually.eventually(Duration.ofSeconds(15), () -> deliveries(engineer, webhookId),
                d -> d.size() == 1 && status.equals(d.get(0).get("status").asString()),
                "the delivery of webhook " + webhookId + " to become " + status);
        return items.get(0);
    }

    /**
     * Checks {@code t=<unix seconds>,v1=<hex>} the way the README and docs/security.md tell receivers to: the
     * HMAC-SHA256 of {@code "<t>." + body} under the secret, and a timestamp within five minutes of now.
     */
    static boolean signatureValid(String header, byte[] body, String secret) {
        if (header == null) {
            return false;
        }
        Map<String, String> parts = new HashMap<>();
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                parts.put(kv[0].trim(), kv[1].trim());
            }
        }
        if (!parts.containsKey("t") || !parts.containsKey("v1")) {
            return false;
        }
        long t = Long.parseLong(parts.get("t"));
        if (Math.abs(Instant.now().getEpochSecond() - t) > 300) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((t + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(body);
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(parts.get("v1")));
        } catch (Exception e) {
            return false;
        }
    }

    /** Ends every live subscription, so no test's events reach another test's receiver. */
    static void retireAll(JdbcTemplate jdbc) {
        jdbc.update("update webhook_delivery set status = 'CANCELLED', next_attempt_at = null, claim_token = null,"
                + " lease_expires_at = null where status in ('PENDING', 'SENDING')");
        jdbc.update("update webhook_subscription set deleted_at = now(), deleted_by = 'test' where deleted_at is null");
    }
}
