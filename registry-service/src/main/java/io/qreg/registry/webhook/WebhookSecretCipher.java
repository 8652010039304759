package io.qreg.registry.webhook;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.qreg.registry.support.KeyFiles;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Encrypts subscription secrets at rest with AES-256-GCM under a key that never enters the database:
 * the file {@code QREG_WEBHOOK_SECRET_KEY} names, or one generated once into
 * {@code ${qreg.data-dir}/keys/webhook-secrets.key}. The subscription id is the associated data, so a
 * ciphertext copied onto another subscription's row does not decrypt there.
 */
@Component
class WebhookSecretCipher {

    static final String KEY_FILE = "webhook-secrets.key";
    private static final String VERSION = "v1:";
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    WebhookSecretCipher(WebhookSettings settings, @Value("${qreg.data-dir}") Path dataDir) {
        this.key = new SecretKeySpec(loadKey(settings.secretKey(), dataDir), "AES");
    }

    /** {@code v1:} and the base64 of nonce, ciphertext and tag. */
    String encrypt(UUID subscriptionId, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, subscriptionId, nonce, secret.getBytes(StandardCharsets.UTF_8));
        return VERSION + Base64.getEncoder().encodeToString(ByteBuffer.allocate(nonce.length + sealed.length)
                .put(nonce).put(sealed).array());
    }

    /** The secret; fails when the ciphertext was made under another key or for another subscription. */
    String decrypt(UUID subscriptionId, String ciphertext) {
        if (ciphertext == null || !ciphertext.startsWith(VERSION)) {
            throw new IllegalStateException("webhook " + subscriptionId + " has no secret ciphertext this registry"
                    + " can read");
        }
        byte[] bytes = Base64.getDecoder().decode(ciphertext.substring(VERSION.length()));
        byte[] nonce = java.util.Arrays.copyOf(bytes, NONCE_BYTES);
        byte[] sealed = java.util.Arrays.copyOfRange(bytes, NONCE_BYTES, bytes.length);
        return new String(run(Cipher.DECRYPT_MODE, subscriptionId, nonce, sealed), StandardCharsets.UTF_8);
    }

    private byte[] run(int mode, UUID subscriptionId, byte[] nonce, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(subscriptionId.toString().getBytes(StandardCharsets.US_ASCII));
            return cipher.doFinal(input);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalStateException("the secret of webhook " + subscriptionId + " does not decrypt: it was"
                    + " encrypted for another subscription, or under another key than QREG_WEBHOOK_SECRET_KEY or"
                    + " keys/" + KEY_FILE + " holds", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * The configured key file must exist (a missing mount must not silently become a new key that
     * cannot read the stored secrets); without one, a key is generated once in the data directory.
     * Either way the file holds the base64 of 32 random bytes.
     */
    private static byte[] loadKey(String configured, Path dataDir) {
        Path file;
        byte[] content;
        if (configured != null && !configured.isBlank()) {
            file = Path.of(configured.trim());
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("QREG_WEBHOOK_SECRET_KEY names " + file + ", which is not a file;"
                        + " create it with: head -c 32 /dev/urandom | base64 > " + file);
            }
            try {
                content = Files.readAllBytes(file);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot read QREG_WEBHOOK_SECRET_KEY " + file, e);
            }
        } else {
            file = KeyFiles.directory(dataDir).resolve(KEY_FILE);
            content = KeyFiles.readOrCreate(file, () -> {
                byte[] fresh = new byte[KEY_BYTES];
                RANDOM.nextBytes(fresh);
                return (Base64.getEncoder().encodeToString(fresh) + "\n").getBytes(StandardCharsets.US_ASCII);
            });
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(new String(content, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            key = new byte[0];
        }
        if (key.length != KEY_BYTES) {
            throw new IllegalStateException("the webhook secret key " + file + " must hold the base64 of exactly "
                    + KEY_BYTES + " bytes (head -c 32 /dev/urandom | base64)");
        }
        return key;
    }
}
