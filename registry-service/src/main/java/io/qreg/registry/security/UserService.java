package io.qreg.registry.security;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.web.ApiException;

import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/** Creates and lists accounts; every change is audited. */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class UserService {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{1,63}");

    private final AppUserRepository users;
    private final PasswordEncoder passwordEncoder;
    private final AuditLog audit;

    public record NewUser(String username, String password, List<String> roles) {
    }

    public record UserView(java.util.UUID id, String username, Set<Role> roles, boolean enabled,
            java.time.Instant createdAt, String createdBy, boolean hasPassword, boolean mustChangePassword) {

        static UserView of(AppUser user) {
            return new UserView(user.getId(), user.getUsername(), user.getRoles(), user.isEnabled(),
                    user.getCreatedAt(), user.getCreatedBy(), user.getPasswordHash() != null,
                    user.isMustChangePassword());
        }
    }

    @Transactional
    public UserView create(NewUser request) {
        if (request.username() == null || !USERNAME.matcher(request.username()).matches()) {
            throw ApiException.invalid("username",
                    "username must be 2-64 characters of lowercase letters, digits, '.', '_' or '-'");
        }
        if (request.roles() == null || request.roles().isEmpty()) {
            throw ApiException.invalid("roles", "roles must name at least one of " + List.of(Role.values()));
        }
        Set<Role> roles = roles(request.roles());
        String password = request.password();
        if (password != null) {
            if (roles.stream().anyMatch(Role.TOKEN_ONLY::contains)) {
                throw ApiException.invalid("password",
                        "WORKER and GATEWAY accounts authenticate with API tokens only; omit the password");
            }
            PasswordRules.check("password", password);
        }
        if (users.findByUsername(request.username()).isPresent()) {
            throw ApiException.conflict("user '" + request.username() + "' already exists");
        }
        AppUser user = users.save(new AppUser(request.username(),
                password == null ? null : passwordEncoder.encode(password), roles, CurrentUser.username()));
        UserView view = UserView.of(user);
        audit.record("user.created", "user", user.getUsername(), null, view, Map.of("roles", roles));
        return view;
    }

    /** Role names as sent, refused naming the field {@code roles} when empty or unknown. */
    static Set<Role> roles(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw ApiException.invalid("roles", "roles must name at least one of " + List.of(Role.values()));
        }
        Set<Role> roles = EnumSet.noneOf(Role.class);
        for (String role : names) {
            try {
                roles.add(Role.parse(String.valueOf(role)));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("roles", e.getMessage());
            }
        }
        return roles;
    }

    @Transactional(readOnly = true)
    public UserView get(String username) {
        return users.findByUsername(username).map(UserView::of)
                .orElseThrow(() -> ApiException.notFound("user", username));
    }

    @Transactional(readOnly = true)
    public List<UserView> list() {
        return users.findAll(org.springframework.data.domain.Sort.by("username")).stream().map(UserView::of).toList();
    }

    @Transactional(readOnly = true)
    public boolean noUsersYet() {
        return users.count() == 0;
    }
}
