package io.qreg.registry.security;

import java.time.Instant;
import java.util.UUID;

import io.qreg.registry.support.Timestamps;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.Table;

/**
 * An API token. Only the sha256 of the secret is kept, so a database leak discloses no usable
 * token; the secret is shown once, when the token is created.
 */
@Entity
@Table(name = "api_token")
public class ApiToken {

    @Id
    private UUID id;
    @ManyToOne(fetch = FetchType.EAGER, optional = false)
    @JoinColumn(name = "user_id")
    private AppUser user;
    private String name;
    @Column(name = "token_hash")
    private String tokenHash;
    @Column(name = "token_prefix")
    private String tokenPrefix;
    @Column(name = "created_at")
    private Instant createdAt;
    @Column(name = "expires_at")
    private Instant expiresAt;
    @Column(name = "revoked_at")
    private Instant revokedAt;
    @Column(name = "last_used_at")
    private Instant lastUsedAt;
    @Column(name = "parent_token_id")
    private UUID parentTokenId;

    protected ApiToken() {
    }

    public ApiToken(AppUser user, String name, String tokenHash, String tokenPrefix, Instant expiresAt,
            UUID parentTokenId) {
        this.id = UUID.randomUUID();
        this.parentTokenId = parentTokenId;
        this.user = user;
        this.name = name;
        this.tokenHash = tokenHash;
        this.tokenPrefix = tokenPrefix;
        this.createdAt = Timestamps.now();
        this.expiresAt = expiresAt;
    }

    public boolean isUsableAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt)) && user.isEnabled();
    }

    /** Revoking twice keeps the first revocation time. */
    public void revoke(Instant now) {
        if (revokedAt == null) {
            revokedAt = now;
        }
    }

    public void markUsed(Instant now) {
        lastUsedAt = now;
    }

    public UUID getId() {
        return id;
    }

    public AppUser getUser() {
        return user;
    }

    public String getName() {
        return name;
    }

    public String getTokenPrefix() {
        return tokenPrefix;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }

    public Instant getExpiresAt() {
        return expiresAt;
    }

    public Instant getRevokedAt() {
        return revokedAt;
    }

    public Instant getLastUsedAt() {
        return lastUsedAt;
    }

    /** The token whose bearer created this one (null: created with a password or portal session). */
    public UUID getParentTokenId() {
        return parentTokenId;
    }
}
