package io.qreg.registry.security;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** What a person or machine may do; the hierarchy lives in {@link SecurityConfiguration}. */
public enum Role {
    VIEWER, ENGINEER, APPROVER, RISK_OFFICER, WORKER, GATEWAY, ADMIN;

    /** Machine accounts: they authenticate with API tokens only, never with a password. */
    public static final Set<Role> TOKEN_ONLY = EnumSet.of(WORKER, GATEWAY);

    public String authority() {
        return "ROLE_" + name();
    }

    public static Role parse(String value) {
        try {
            return Role.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown role '" + value + "'; known roles: "
                    + Arrays.toString(values()));
        }
    }

    static Set<Role> parseAll(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).filter(s -> !s.isBlank()).map(Role::parse)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Role.class)));
    }

    static String joinAll(Collection<Role> roles) {
        return roles.stream().sorted().map(Role::name).collect(Collectors.joining(","));
    }
}
