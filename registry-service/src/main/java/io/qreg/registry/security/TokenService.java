package io.qreg.registry.security;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.AfterCommit;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/** Issues, resolves and revokes API tokens. */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class TokenService {

    /** Last-use times are bookkeeping; writing them at most once a minute keeps reads read-only. */
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    static final Duration RECENT_TTL = Duration.ofSeconds(10);
    private static final int RECENT_MAX = 10_000;

    private final ApiTokenRepository tokens;
    private final AppUserRepository users;
    private final AuditLog audit;
    private final TransactionTemplate transaction;
    private final Map<String, RecentToken> recent = new ConcurrentHashMap<>();

    public record NewToken(String name, String username, Instant expiresAt) {
    }

    public record IssuedToken(UUID id, String name, String username, String token, String prefix,
            Instant createdAt, Instant expiresAt) {
    }

    /**
     * A token as listed; {@code prefix} is null when the secret is too short to show part of it, and
     * {@code parentTokenId} names the token it was created with, if any.
     */
    public record TokenView(UUID id, String name, String username, String prefix, Instant createdAt,
            Instant expiresAt, Instant revokedAt, Instant lastUsedAt, UUID parentTokenId) {

        static TokenView of(ApiToken token) {
            String prefix = token.getTokenPrefix() == null || token.getTokenPrefix().isEmpty() ? null
                    : token.getTokenPrefix();
            return new TokenView(token.getId(), token.getName(), token.getUser().getUsername(),
                    prefix, token.getCreatedAt(), token.getExpiresAt(), token.getRevokedAt(),
                    token.getLastUsedAt(), token.getParentTokenId());
        }
    }

    /** An authenticated caller: the account, the token it used and when that token expires. */
    public record TokenPrincipal(UUID tokenId, AppUser user, Instant expiresAt) {
    }

    @Transactional
    public IssuedToken issue(NewToken request) {
        if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
            throw ApiException.invalid("name", "name is required (1-100 characters), e.g. 'ci-pipeline'");
        }
        String self = CurrentUser.username();
        String owner = request.username() == null || request.username().isBlank() ? self : request.username();
        if (!owner.equals(self) && !CurrentUser.isAdmin()) {
            throw ApiException.forbidden("only an ADMIN may create a token for another user ('" + owner + "')");
        }
        if (request.expiresAt() != null && !request.expiresAt().isAfter(Instant.now())) {
            throw ApiException.invalid("expiresAt", "expiresAt must be in the future, got " + request.expiresAt());
        }
        AppUser user = users.findByUsername(owner).orElseThrow(() -> ApiException.notFound("user", owner));
        if (!user.isEnabled()) {
            throw ApiException.conflict("user '" + owner + "' is disabled; enable the account before giving it tokens");
        }
        // A token created with a token is its child: it dies with its parent, so it may not outlive it either.
        ApiToken parent = CurrentUser.tokenId().flatMap(tokens::findById).orElse(null);
        Instant expiresAt = request.expiresAt();
        if (parent != null && parent.getExpiresAt() != null
                && (expiresAt == null || expiresAt.isAfter(parent.getExpiresAt()))) {
            expiresAt = parent.getExpiresAt();
        }
        return issueFor(user, request.name(), TokenSecrets.newSecret(), expiresAt,
                parent == null ? null : parent.getId());
    }

    /** Issues a token with a secret chosen by the operator (the bootstrap admin token). */
    @Transactional
    IssuedToken issueFor(AppUser user, String name, String secret, Instant expiresAt) {
        return issueFor(user, name, secret, expiresAt, null);
    }

    private IssuedToken issueFor(AppUser user, String name, String secret, Instant expiresAt, UUID parentTokenId) {
        ApiToken token = tokens.save(new ApiToken(user, name, TokenSecrets.hash(secret),
                TokenSecrets.displayPrefix(secret), expiresAt, parentTokenId));
        Map<String, Object> details = new LinkedHashMap<>(Map.of("user", user.getUsername(), "name", name));
        if (parentTokenId != null) {
            details.put("parentTokenId", parentTokenId.toString());
        }
        audit.record("token.created", "token", token.getId().toString(), null, TokenView.of(token), details);
        return new IssuedToken(token.getId(), name, user.getUsername(), secret, TokenView.of(token).prefix(),
                token.getCreatedAt(), expiresAt);
    }

    @Transactional(readOnly = true)
    public List<TokenView> list(String username) {
        String self = CurrentUser.username();
        String owner = username == null || username.isBlank() ? self : username;
        if (!owner.equals(self) && !CurrentUser.isAdmin()) {
            throw ApiException.forbidden("only an ADMIN may list another user's tokens");
        }
        AppUser user = users.findByUsername(owner).orElseThrow(() -> ApiException.notFound("user", owner));
        return tokens.findByUserOrderByCreatedAtDesc(user).stream().map(TokenView::of).toList();
    }

    @Transactional
    public TokenView revoke(UUID id) {
        ApiToken token = tokens.findById(id).orElseThrow(() -> ApiException.notFound("token", id));
        if (!token.getUser().getUsername().equals(CurrentUser.username()) && !CurrentUser.isAdmin()) {
            throw ApiException.forbidden("only the token's owner or an ADMIN may revoke it");
        }
        Instant now = Timestamps.now();
        TokenView after = revokeOne(token, now, Map.of());
        revokeDescendants(List.of(id), now);
        return after;
    }

    /**
     * Revokes every token of the account and every token created with one of them (whoever owns it),
     * e.g. when the account is disabled; returns how many were revoked.
     */
    @Transactional
    public int revokeAllOf(AppUser user, String reason) {
        Instant now = Timestamps.now();
        List<ApiToken> own = tokens.findByUserOrderByCreatedAtDesc(user);
        int revoked = 0;
        for (ApiToken token : own) {
            if (token.getRevokedAt() == null) {
                revokeOne(token, now, Map.of("reason", reason));
                revoked++;
            }
        }
        revoked += revokeDescendants(own.stream().map(ApiToken::getId).toList(), now);
        forgetUser(user.getId());
        return revoked;
    }

    /** Tokens remember their account for {@link #RECENT_TTL}; after a change to it they must not. */
    public void forgetUser(UUID userId) {
        evictNowAndAfterCommit(() -> recent.values().removeIf(r -> r.principal().user().getId().equals(userId)));
    }

    private int revokeDescendants(List<UUID> roots, Instant now) {
        if (roots.isEmpty()) {
            return 0;
        }
        int revoked = 0;
        for (ApiToken child : tokens.findAllById(tokens.findDescendantIds(roots))) {
            if (child.getRevokedAt() == null) {
                revokeOne(child, now, Map.of("reason", "the token it was created with ("
                        + child.getParentTokenId() + ") was revoked"));
                revoked++;
            }
        }
        return revoked;
    }

    private TokenView revokeOne(ApiToken token, Instant now, Map<String, String> why) {
        TokenView before = TokenView.of(token);
        token.revoke(now);
        forget(token.getId());
        TokenView after = TokenView.of(token);
        Map<String, Object> details = new LinkedHashMap<>(why);
        details.put("user", token.getUser().getUsername());
        audit.record("token.revoked", "token", token.getId().toString(), before, after, details);
        return after;
    }

    /**
     * The account behind a presented secret, if the token exists and is neither expired nor revoked.
     * Verified tokens are remembered for {@link #RECENT_TTL}, so a busy client costs no database
     * round trip per request; a revocation on this instance takes effect at once, on another
     * instance sharing the database within that time.
     */
    public Optional<TokenPrincipal> authenticate(String secret) {
        String hash = TokenSecrets.hash(secret);
        Instant now = Timestamps.now();
        RecentToken cached = recent.get(hash);
        if (cached != null && now.isBefore(cached.validUntil())) {
            return Optional.of(cached.principal());
        }
        Optional<TokenPrincipal> principal = transaction.execute(tx -> lookUp(hash, now));
        if (principal.isEmpty()) {
            recent.remove(hash);
            return principal;
        }
        if (recent.size() >= RECENT_MAX) {
            recent.clear();
        }
        Instant validUntil = now.plus(RECENT_TTL);
        Instant expiresAt = principal.get().expiresAt();
        recent.put(hash, new RecentToken(principal.get(),
                expiresAt != null && expiresAt.isBefore(validUntil) ? expiresAt : validUntil));
        return principal;
    }

    private Optional<TokenPrincipal> lookUp(String hash, Instant now) {
        return tokens.findByTokenHash(hash).filter(t -> t.isUsableAt(now)).map(token -> {
            if (token.getLastUsedAt() == null
                    || token.getLastUsedAt().isBefore(now.minus(LAST_USED_RESOLUTION))) {
                token.markUsed(now);
            }
            return new TokenPrincipal(token.getId(), token.getUser(), token.getExpiresAt());
        });
    }

    private void forget(UUID tokenId) {
        evictNowAndAfterCommit(() -> recent.values().removeIf(r -> r.principal().tokenId().equals(tokenId)));
    }

    /**
     * Evicts at once and again once the change commits: a request verifying the token in between
     * reads the old committed state and would otherwise cache it for another {@link #RECENT_TTL}.
     */
    private static void evictNowAndAfterCommit(Runnable eviction) {
        eviction.run();
        AfterCommit.run(eviction);
    }

    private record RecentToken(TokenPrincipal principal, Instant validUntil) {
    }
}
