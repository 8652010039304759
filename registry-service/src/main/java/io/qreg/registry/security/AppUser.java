package io.qreg.registry.security;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import io.qreg.registry.support.RecordedEntity;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;

/** A person or machine account. Machine accounts (WORKER, GATEWAY) have no password. */
@Entity
@Table(name = "app_user")
public class AppUser extends RecordedEntity {

    private String username;
    @Column(name = "password_hash")
    private String passwordHash;
    private String roles;
    private boolean enabled;
    @Column(name = "must_change_password")
    private boolean mustChangePassword;
    @Column(name = "sessions_valid_after")
    private Instant sessionsValidAfter;

    protected AppUser() {
    }

    public AppUser(String username, String passwordHash, Set<Role> roles, String createdBy) {
        super(createdBy);
        this.username = username;
        this.passwordHash = passwordHash;
        this.roles = Role.joinAll(roles);
        this.enabled = true;
    }

    public String getUsername() {
        return username;
    }

    public String getPasswordHash() {
        return passwordHash;
    }

    public Set<Role> getRoles() {
        return roles.isBlank() ? EnumSet.noneOf(Role.class) : Role.parseAll(roles);
    }

    public boolean isEnabled() {
        return enabled;
    }

    public boolean isMustChangePassword() {
        return mustChangePassword;
    }

    /** Portal sessions that signed in before this instant are over (null: none ended yet). */
    public Instant getSessionsValidAfter() {
        return sessionsValidAfter;
    }

    void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    void setRoles(Set<Role> roles) {
        this.roles = Role.joinAll(roles);
    }

    /**
     * A new password; {@code temporary} when an ADMIN set it, so the person must choose their own
     * before anything else.
     */
    void setPassword(String passwordHash, boolean temporary) {
        this.passwordHash = passwordHash;
        this.mustChangePassword = temporary;
    }

    void endSessions(Instant now) {
        this.sessionsValidAfter = now;
    }
}
