package io.qreg.registry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;

import io.qreg.registry.support.KeyFiles;
import io.qreg.worker.audit.Ed25519Keys;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The Ed25519 key that signs the audit log's tree heads, kept outside the database: the PKCS#8 PEM
 * file {@code QREG_AUDIT_SIGNING_KEY} names, or else one generated once into
 * {@code QREG_DATA_DIR/keys/audit-signing.pem} (0600).
 */
@Component
public class AuditSigningKey {

    private static final Logger log = LoggerFactory.getLogger(AuditSigningKey.class);
    static final String GENERATED_FILE = "audit-signing.pem";

    private final KeyPair pair;
    private final String fingerprint;

    AuditSigningKey(@Value("${qreg.audit.signing-key:}") String keyFile, @Value("${qreg.data-dir}") Path dataDir) {
        String pem;
        if (keyFile == null || keyFile.isBlank()) {
            Path generated = KeyFiles.directory(dataDir).resolve(GENERATED_FILE);
            pem = new String(KeyFiles.readOrCreate(generated,
                    () -> Ed25519Keys.generatePrivatePem().getBytes(StandardCharsets.US_ASCII)), StandardCharsets.US_ASCII);
        } else {
            try {
                pem = Files.readString(Path.of(keyFile), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read QREG_AUDIT_SIGNING_KEY " + keyFile, e);
            }
        }
        try {
            this.pair = Ed25519Keys.readPrivatePem(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the audit signing key is not an Ed25519 PKCS#8 PEM key: "
                    + e.getMessage(), e);
        }
        this.fingerprint = Ed25519Keys.fingerprint(pair.getPublic());
        log.info("audit tree heads are signed with the Ed25519 key sha256:{}", fingerprint);
    }

    KeyPair pair() {
        return pair;
    }

    public PublicKey publicKey() {
        return pair.getPublic();
    }

    public String publicKeyPem() {
        return Ed25519Keys.publicPem(pair.getPublic());
    }

    /** SHA-256 of the public key's DER, hex: what an auditor compares with the key they were given. */
    public String fingerprint() {
        return fingerprint;
    }
}
