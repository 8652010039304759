package io.qreg.registry.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.UserService.UserView;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Offboarding and credentials of existing accounts: enable or disable, change roles, an ADMIN's
 * password reset and a person's own password change. Each takes effect at once (tokens remember
 * accounts only briefly and are told to forget; portal sessions re-read the account every request)
 * and each is audited.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class AccountService {

    private final AppUserRepository users;
    private final TokenService tokens;
    private final PasswordEncoder passwordEncoder;
    private final AuditLog audit;
    private final LoginThrottle throttle;

    /** The body of {@code PATCH /api/v1/users/{username}}: either field, or both. */
    public record AccountChange(Boolean enabled, List<String> roles) {
    }

    /** An ADMIN's reset: the temporary password the person must replace at their next sign-in. */
    public record PasswordReset(String password) {
    }

    public record PasswordChange(String currentPassword, String newPassword) {
    }

    @Transactional
    public UserView update(String username, AccountChange change) {
        if (change == null || change.enabled() == null && change.roles() == null) {
            throw ApiException.invalid("enabled", "send enabled (true or false), roles (a list of role names) or both");
        }
        Set<Role> roles = change.roles() == null ? null : UserService.roles(change.roles());
        List<AppUser> admins = users.lockEnabledAdmins();
        AppUser user = users.findByUsername(username).orElseThrow(() -> ApiException.notFound("user", username));
        boolean disabling = Boolean.FALSE.equals(change.enabled()) && user.isEnabled();
        boolean enabling = Boolean.TRUE.equals(change.enabled()) && !user.isEnabled();
        if (disabling && user.getUsername().equals(CurrentUser.username())) {
            throw ApiException.conflict("you cannot disable your own account; another ADMIN can");
        }
        if (roles != null && user.getPasswordHash() != null && roles.stream().anyMatch(Role.TOKEN_ONLY::contains)) {
            throw ApiException.invalid("roles", "'" + username + "' signs in with a password; WORKER and GATEWAY"
                    + " are for token-only machine accounts");
        }
        boolean losesAdmin = user.isEnabled() && user.getRoles().contains(Role.ADMIN)
                && (disabling || roles != null && !roles.contains(Role.ADMIN));
        if (losesAdmin && admins.stream().allMatch(a -> a.getId().equals(user.getId()))) {
            throw ApiException.conflict("'" + username + "' is the last enabled ADMIN; make another account ADMIN"
                    + " first");
        }
        if (roles != null && !roles.equals(user.getRoles())) {
            UserView before = UserView.of(user);
            user.setRoles(roles);
            audit.record("user.roles.changed", "user", username, before, UserView.of(user),
                    Map.of("from", before.roles(), "to", roles));
        }
        if (disabling) {
            UserView before = UserView.of(user);
            user.setEnabled(false);
            user.endSessions(Timestamps.now());
            audit.record("user.disabled", "user", username, before, UserView.of(user), Map.of());
            tokens.revokeAllOf(user, "account disabled");
        } else if (enabling) {
            UserView before = UserView.of(user);
            user.setEnabled(true);
            audit.record("user.enabled", "user", username, before, UserView.of(user), Map.of());
        }
        tokens.forgetUser(user.getId());
        return UserView.of(user);
    }

    @Transactional
    public UserView resetPassword(String username, PasswordReset reset) {
        PasswordRules.check("password", reset == null ? null : reset.password());
        AppUser user = users.findByUsername(username).orElseThrow(() -> ApiException.notFound("user", username));
        if (user.getRoles().stream().anyMatch(Role.TOKEN_ONLY::contains)) {
            throw ApiException.invalid("password", "'" + username + "' is a machine account (WORKER or GATEWAY);"
                    + " it authenticates with API tokens only");
        }
        UserView before = UserView.of(user);
        user.setPassword(passwordEncoder.encode(reset.password()), true);
        user.endSessions(Timestamps.now());
        tokens.forgetUser(user.getId());
        audit.record("user.password.reset", "user", username, before, UserView.of(user),
                Map.of("mustChangePassword", true));
        return UserView.of(user);
    }

    /**
     * Changes the caller's own password and ends their other portal sessions; returns the instant
     * sessions must have signed in at or after, so the caller's own session can be kept. A wrong
     * current password counts as a failed sign-in from {@code clientAddress}: a stolen token or
     * session must not become an unthrottled way to guess the password.
     */
    // Every refusal comes before any change, and a counted failure may start a throttle whose audit event must stay.
    @Transactional(noRollbackFor = ApiException.class)
    public Instant changeOwnPassword(PasswordChange change, String clientAddress) {
        String username = CurrentUser.username();
        AppUser user = users.findByUsername(username).orElseThrow(() -> ApiException.notFound("user", username));
        if (user.getPasswordHash() == null) {
            throw ApiException.invalid("currentPassword", "'" + username + "' has no password; it authenticates"
                    + " with API tokens only");
        }
        var wait = throttle.refusal(username, clientAddress);
        if (wait.isPresent()) {
            throw new SignInThrottled(LoginThrottle.seconds(wait.get()), "currentPassword");
        }
        String current = change == null ? null : change.currentPassword();
        if (current == null || !passwordEncoder.matches(current, user.getPasswordHash())) {
            throttle.failed(username, clientAddress);
            throw ApiException.invalid("currentPassword", "currentPassword is not the account's password");
        }
        String next = change.newPassword();
        PasswordRules.check("newPassword", next);
        if (passwordEncoder.matches(next, user.getPasswordHash())) {
            throw ApiException.invalid("newPassword", "newPassword must differ from the current password");
        }
        UserView before = UserView.of(user);
        Instant now = Timestamps.now();
        user.setPassword(passwordEncoder.encode(next), false);
        user.endSessions(now);
        tokens.forgetUser(user.getId());
        audit.record("user.password.changed", "user", username, before, UserView.of(user),
                Map.of("wasTemporary", before.mustChangePassword()));
        return now;
    }
}
