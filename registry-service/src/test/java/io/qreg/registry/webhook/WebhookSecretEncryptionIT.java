package io.qreg.registry.webhook;

import static io.qreg.registry.webhook.Webhooks.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Subscription secrets are stored only as AES-GCM ciphertext under a key in the data directory, not in
 * the database; receivers still verify signatures made with the original secret, including the
 * secrets of subscriptions stored in plaintext before encryption existed.
 */
class WebhookSecretEncryptionIT extends IntegrationTest {

    @Autowired
    PlaintextSecretMigration migration;

    @RegisterExtension
    final WebhookReceivers receivers = new WebhookReceivers();

    private Map<String, Object> storedSecret(String id) {
        return jdbc.queryForMap("select secret, secret_ciphertext from webhook_subscription where id = ?::uuid", id);
    }

    private static void assertHoldsNoPlaintext(String ciphertext, String secret) {
        assertThat(ciphertext).startsWith("v1:").doesNotContain(secret);
        String decoded = new String(Base64.getDecoder().decode(ciphertext.substring(3)), StandardCharsets.ISO_8859_1);
        assertThat(decoded).doesNotContain(secret);
    }

    @Test
    void theDatabaseHoldsOnlyCiphertextAndTheReceiverVerifiesTheSignatureWithTheOriginalSecret() throws Exception {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceivers.Subscription hook = receivers.subscription(engineer, "*");

        Map<String, Object> stored = storedSecret(hook.id());
        assertThat(stored.get("secret")).isNull();
        assertHoldsNoPlaintext((String) stored.get("secret_ciphertext"), SECRET);
        Path key = DATA_DIR.resolve("keys").resolve(WebhookSecretCipher.KEY_FILE);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String keyText = Files.readString(key).trim();
        assertThat(Base64.getDecoder().decode(keyText)).hasSize(32);
        assertThat(jdbc.queryForObject("select count(*) from webhook_subscription where secret_ciphertext like ?",
                Long.class, "%" + keyText + "%")).as("the key is not in the database").isZero();

        assertThat(engineer.post("/api/v1/webhooks/" + hook.id() + "/test", "").status()).isEqualTo(202);
        WebhookReceiver.Received ping = hook.receiver().await(1, Duration.ofSeconds(10)).get(0);
        assertThat(Webhooks.signatureValid(ping.header("X-QReg-Signature"), ping.body(), SECRET)).isTrue();
        assertThat(Webhooks.signatureValid(ping.header("X-QReg-Signature"), ping.body(), SECRET + "x")).isFalse();
    }

    @Test
    void aSecretStoredInPlaintextBeforeEncryptionIsEncryptedAtStartAndStillSigns() {
        HttpApi engineer = userWith("ENGINEER");
        String owner = engineer.get("/api/v1/me").json().get("username").asString();
        WebhookReceiver receiver = receivers.ok();
        String legacySecret = "legacy-plaintext-secret-" + UUID.randomUUID();
        UUID id = UUID.randomUUID();
        // A row as V5 stored it: the secret in plaintext, no ciphertext.
        jdbc.update("""
                insert into webhook_subscription (id, url, events, secret, created_at, created_by, owner)
                values (?, ?, '{*}', ?, now(), ?, ?)""", id, receiver.url(), legacySecret, owner, owner);

        assertThat(migration.encryptPlaintextSecrets()).isEqualTo(1);

        Map<String, Object> stored = storedSecret(id.toString());
        assertThat(stored.get("secret")).isNull();
        assertHoldsNoPlaintext((String) stored.get("secret_ciphertext"), legacySecret);
        assertThat(jdbc.queryForObject("select count(*) from webhook_subscription where secret is not null",
                Long.class)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'webhook.secrets-encrypted'",
                Long.class)).isPositive();
        assertThat(migration.encryptPlaintextSecrets()).as("a second run finds nothing left").isZero();

        assertThat(engineer.post("/api/v1/webhooks/" + id + "/test", "").status()).isEqualTo(202);
        WebhookReceiver.Received ping = receiver.await(1, Duration.ofSeconds(10)).get(0);
        assertThat(Webhooks.signatureValid(ping.header("X-QReg-Signature"), ping.body(), legacySecret)).isTrue();
    }

    @Test
    void aCiphertextCopiedOntoAnotherSubscriptionDoesNotSignForIt() {
        HttpApi engineer = userWith("ENGINEER");
        WebhookReceiver receiver = receivers.ok();
        String victim = Webhooks.subscribe(engineer, "https://ci.example.com/hooks/victim", List.of("*"), SECRET)
                .get("id").asString();
        String copy = Webhooks.subscribe(engineer, receiver.url(), List.of("*"), "another-secret-0123456789")
                .get("id").asString();
        jdbc.update("update webhook_subscription set secret_ciphertext = (select secret_ciphertext from"
                + " webhook_subscription where id = ?::uuid) where id = ?::uuid", victim, copy);

        engineer.post("/api/v1/webhooks/" + copy + "/test", "");

        var delivery = Webhooks.awaitOnlyDelivery(engineer, copy, "FAILED");
        assertThat(delivery.get("lastError").asString()).contains("does not decrypt");
        assertThat(receiver.received()).as("nothing signed with the other subscription's secret").isEmpty();
    }
}
