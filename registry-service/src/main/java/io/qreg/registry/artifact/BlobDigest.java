package io.qreg.registry.artifact;

import java.util.regex.Pattern;

/** The one spelling of a blob address every store accepts: 64 lower-case hex digits of sha256. */
final class BlobDigest {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private BlobDigest() {
    }

    static boolean isSha256(String candidate) {
        return SHA256.matcher(candidate).matches();
    }

    /** Rejects anything else before it becomes part of a path or an object key. */
    static String requireSha256(String sha256) {
        if (sha256 == null || !isSha256(sha256)) {
            throw new IllegalArgumentException("not a sha256 hex digest: " + sha256);
        }
        return sha256;
    }

    /** {@code ab/cd/abcd…}: two levels of fan-out, so no directory or listing page gets huge. */
    static String fanOut(String sha256) {
        requireSha256(sha256);
        return sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
    }
}
