package io.qreg.registry.routing;

import java.nio.charset.StandardCharsets;

import io.qreg.registry.support.CanonicalJson;

/** One rendering of a revision, ready to send: its bytes and their ETag ({@code "sha256:<hex>"}). */
record Rendered(byte[] bytes, String etag) {

    static Rendered of(String text) {
        return new Rendered(text.getBytes(StandardCharsets.UTF_8), "\"sha256:" + CanonicalJson.sha256Hex(text) + "\"");
    }

    String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Whether an {@code If-None-Match} header names this rendering (weak or strong, in a list, or *). */
    boolean matches(String ifNoneMatch) {
        if (ifNoneMatch == null || ifNoneMatch.isEmpty()) {
            return false;
        }
        if (ifNoneMatch.equals(etag)) {
            return true;
        }
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(etag) || tag.equals("*")) {
                return true;
            }
        }
        return false;
    }
}
