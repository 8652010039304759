package io.qreg.registry.security;

import java.security.SecureRandom;
import java.util.Base64;

import io.qreg.registry.support.CanonicalJson;

/** How token secrets are minted and how they are reduced to what the database keeps. */
final class TokenSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String PREFIX = "qreg_";

    private TokenSecrets() {
    }

    static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        return CanonicalJson.sha256Hex(secret);
    }

    /** The shortest secret the operator may choose (QREG_BOOTSTRAP_ADMIN_TOKEN). */
    static final int MIN_CHOSEN_LENGTH = 32;
    private static final int DISPLAYED = 10;
    /** Shown characters leave at least this many hidden; a shorter secret shows none. */
    private static final int MIN_HIDDEN = 32;

    /**
     * Enough of the secret to recognise it in a list, far too little to use it; empty (shown as hidden) when
     * the secret is too short to give ten characters away, as an operator-chosen one may be.
     */
    static String displayPrefix(String secret) {
        return secret.length() >= DISPLAYED + MIN_HIDDEN ? secret.substring(0, DISPLAYED) : "";
    }
}
