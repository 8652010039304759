package io.qreg.registry.security;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.ops.FirstStartPassword;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On an empty database, creates the first account, {@code admin}: with the operator's
 * {@code QREG_BOOTSTRAP_ADMIN_TOKEN} as its API token when given (automation), otherwise with a
 * random password shown once, in the banner logged when the registry is ready (a person at a terminal). With
 * {@code QREG_BOOTSTRAP_WORKER_TOKEN} it also creates {@code worker} (WORKER) with that token.
 *
 * <p>It runs once every singleton exists but before the web server starts, so no request (and no
 * health check reporting UP) can come before the first account.
 */
@Component
class BootstrapAdmin implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAdmin.class);

    private final AppUserRepository users;
    private final TokenService tokens;
    private final PasswordEncoder passwordEncoder;
    private final AuditLog audit;
    private final String bootstrapToken;
    private final String bootstrapWorkerToken;
    private final TransactionTemplate transaction;
    private final FirstStartPassword firstStartPassword;

    BootstrapAdmin(AppUserRepository users, TokenService tokens, PasswordEncoder passwordEncoder, AuditLog audit,
            @Value("${qreg.bootstrap-admin-token:}") String bootstrapToken,
            @Value("${qreg.bootstrap-worker-token:}") String bootstrapWorkerToken, TransactionTemplate transaction,
            FirstStartPassword firstStartPassword) {
        this.firstStartPassword = firstStartPassword;
        this.bootstrapWorkerToken = bootstrapWorkerToken;
        this.transaction = transaction;
        this.users = users;
        this.tokens = tokens;
        this.passwordEncoder = passwordEncoder;
        this.audit = audit;
        this.bootstrapToken = bootstrapToken;
        // Checked whenever set, not only on the first start: a guessable admin token is a configuration error.
        if (!bootstrapToken.isBlank() && bootstrapToken.trim().length() < TokenSecrets.MIN_CHOSEN_LENGTH) {
            throw new IllegalStateException("QREG_BOOTSTRAP_ADMIN_TOKEN must be at least "
                    + TokenSecrets.MIN_CHOSEN_LENGTH + " characters (it has " + bootstrapToken.trim().length()
                    + "); generate one with e.g. 'openssl rand -base64 32'");
        }
    }

    @Override
    public void afterSingletonsInstantiated() {
        try {
            // Only a committed account's password is worth showing.
            Optional<String> generatedPassword = transaction.execute(tx -> createFirstAccount());
            generatedPassword.ifPresent(password -> firstStartPassword.generated("admin", password));
        } catch (DataIntegrityViolationException e) {
            log.info("another instance created the first account at the same time; keeping theirs");
        }
    }

    /** Returns the admin's generated password, if one was generated. */
    private Optional<String> createFirstAccount() {
        if (users.count() > 0) {
            return Optional.empty();
        }
        if (!bootstrapWorkerToken.isBlank()) {
            // Deployments that start workers beside the registry (docker compose) need a WORKER
            // token before anyone could have created one through the API.
            AppUser worker = users.saveAndFlush(new AppUser("worker", null, EnumSet.of(Role.WORKER), "system"));
            audit.recordAs("system", "user.created", "user", "worker", null, Map.of("username", "worker"),
                    Map.of("roles", "WORKER", "via", "QREG_BOOTSTRAP_WORKER_TOKEN"));
            tokens.issueFor(worker, "bootstrap", bootstrapWorkerToken.trim(), null);
            log.info("created user 'worker' (WORKER) with the API token from QREG_BOOTSTRAP_WORKER_TOKEN");
        }
        if (!bootstrapToken.isBlank()) {
            AppUser admin = users.saveAndFlush(new AppUser("admin", null, EnumSet.of(Role.ADMIN), "system"));
            audit.recordAs("system", "user.created", "user", "admin", null, Map.of("username", "admin"),
                    Map.of("roles", "ADMIN", "via", "QREG_BOOTSTRAP_ADMIN_TOKEN"));
            tokens.issueFor(admin, "bootstrap", bootstrapToken.trim(), null);
            log.info("created user 'admin' (ADMIN) with the API token from QREG_BOOTSTRAP_ADMIN_TOKEN");
            return Optional.empty();
        }
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        users.saveAndFlush(new AppUser("admin", passwordEncoder.encode(password), EnumSet.of(Role.ADMIN), "system"));
        audit.recordAs("system", "user.created", "user", "admin", null, Map.of("username", "admin"),
                Map.of("roles", "ADMIN", "via", "first start"));
        // Shown once the registry is ready, where a newcomer looks (ReadyBanner), not among the startup lines.
        log.info("created user 'admin' (ADMIN) with a one-time password, shown when QReg is ready");
        return Optional.of(password);
    }
}
