package io.qreg.registry.security;

import io.qreg.registry.web.ApiException;

/** What a password must be, wherever one is set: at account creation, an ADMIN's reset, a person's change. */
final class PasswordRules {

    static final int MIN_LENGTH = 12;

    private PasswordRules() {
    }

    /** Refuses a missing or too short password, naming {@code field}. */
    static void check(String field, String password) {
        if (password == null || password.length() < MIN_LENGTH) {
            throw ApiException.invalid(field, field + " must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > 200) {
            throw ApiException.invalid(field, field + " must be at most 200 characters");
        }
    }
}
