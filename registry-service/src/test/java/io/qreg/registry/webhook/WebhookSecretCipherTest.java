package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookSecretCipherTest {

    @TempDir
    Path dir;

    private static WebhookSettings keyFile(String path) {
        return new WebhookSettings(null, null, 0, null, null, null, 0, false, path);
    }

    @Test
    void aSecretRoundTripsAndTheCiphertextDiffersEachTime() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(keyFile(null), dir);
        UUID id = UUID.randomUUID();

        String first = cipher.encrypt(id, "whsec_abc");
        String second = cipher.encrypt(id, "whsec_abc");

        assertThat(first).isNotEqualTo(second).doesNotContain("whsec_abc");
        assertThat(cipher.decrypt(id, first)).isEqualTo("whsec_abc");
        assertThat(cipher.decrypt(id, second)).isEqualTo("whsec_abc");
    }

    @Test
    void theGeneratedKeyIsKeptAcrossStartsAndAnotherKeyCannotDecrypt() {
        UUID id = UUID.randomUUID();
        String sealed = new WebhookSecretCipher(keyFile(null), dir).encrypt(id, "whsec_abc");

        assertThat(new WebhookSecretCipher(keyFile(null), dir).decrypt(id, sealed)).isEqualTo("whsec_abc");
        WebhookSecretCipher otherKey = new WebhookSecretCipher(keyFile(null), dir.resolve("elsewhere"));
        assertThatThrownBy(() -> otherKey.decrypt(id, sealed)).hasMessageContaining("does not decrypt");
    }

    @Test
    void aCiphertextDoesNotDecryptForAnotherSubscription() {
        WebhookSecretCipher cipher = new WebhookSecretCipher(keyFile(null), dir);
        String sealed = cipher.encrypt(UUID.randomUUID(), "whsec_abc");

        assertThatThrownBy(() -> cipher.decrypt(UUID.randomUUID(), sealed)).hasMessageContaining("does not decrypt");
    }

    @Test
    void aConfiguredKeyFileIsUsedAndAMissingOneStopsTheStart() throws Exception {
        Path key = dir.resolve("mounted.key");
        Files.writeString(key, Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        UUID id = UUID.randomUUID();
        String sealed = new WebhookSecretCipher(keyFile(key.toString()), dir.resolve("a")).encrypt(id, "s");

        assertThat(new WebhookSecretCipher(keyFile(key.toString()), dir.resolve("b")).decrypt(id, sealed))
                .isEqualTo("s");
        assertThat(dir.resolve("a").resolve("keys")).doesNotExist();
        assertThatThrownBy(() -> new WebhookSecretCipher(keyFile(dir.resolve("absent.key").toString()), dir))
                .hasMessageContaining("QREG_WEBHOOK_SECRET_KEY");
        Files.writeString(key, "too short");
        assertThatThrownBy(() -> new WebhookSecretCipher(keyFile(key.toString()), dir))
                .hasMessageContaining("exactly 32 bytes");
    }
}
