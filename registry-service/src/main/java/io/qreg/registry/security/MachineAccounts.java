package io.qreg.registry.security;

import java.util.EnumSet;
import java.util.Map;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.Timestamps;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Accounts the registry runs for itself, such as its in-process worker: created on demand, with
 * a fresh token at every start (the previous one revoked), so no secret outlives the process
 * that knew it.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class MachineAccounts {

    private final AppUserRepository users;
    private final ApiTokenRepository tokens;
    private final TokenService tokenService;
    private final AuditLog audit;

    /** The secret of a new token for {@code username} (a token-only account with {@code role}). */
    @Transactional
    public String freshToken(String username, Role role, String tokenName) {
        AppUser user = users.findByUsername(username).orElseGet(() -> {
            AppUser created = users.saveAndFlush(new AppUser(username, null, EnumSet.of(role), "system"));
            audit.recordAs("system", "user.created", "user", username, null, Map.of("username", username),
                    Map.of("roles", role.name(), "via", "machine account"));
            return created;
        });
        for (ApiToken old : tokens.findByUserOrderByCreatedAtDesc(user)) {
            if (old.getName().equals(tokenName) && old.getRevokedAt() == null) {
                old.revoke(Timestamps.now());
            }
        }
        return tokenService.issueFor(user, tokenName, TokenSecrets.newSecret(), null).token();
    }
}
