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

    /** Enough of the secret to recognise it in a list, far too little to use it. */
    static String displayPrefix(String secret) {
        return secret.substring(0, Math.min(10, secret.length()));
    }
}
