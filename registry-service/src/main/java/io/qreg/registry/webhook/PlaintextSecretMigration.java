package io.qreg.registry.webhook;

import java.util.Map;

import io.qreg.registry.audit.AuditLog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * On every start, encrypts subscription secrets still held in plaintext (V12 added the encrypted
 * column; older rows, or rows an older instance wrote during a rolling upgrade, have only the
 * plaintext). Until then the dispatcher still signs with the plaintext, so nothing stops being delivered.
 */
@Component
@RequiredArgsConstructor
class PlaintextSecretMigration implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(PlaintextSecretMigration.class);

    private final Subscriptions subscriptions;
    private final AuditLog audit;

    @Override
    @Transactional
    public void run(ApplicationArguments args) {
        encryptPlaintextSecrets();
    }

    @Transactional
    public int encryptPlaintextSecrets() {
        int encrypted = subscriptions.encryptPlaintextSecrets();
        if (encrypted > 0) {
            log.info("encrypted {} webhook secret(s) that were stored in plaintext", encrypted);
            audit.recordAs("system", "webhook.secrets-encrypted", "webhook", "*", null, null,
                    Map.of("count", encrypted));
        }
        return encrypted;
    }
}
