package io.qreg.worker.audit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * An audit event as a Merkle leaf: the one definition of the bytes the registry and an offline
 * auditor both hash (docs/security.md, "The audit log"). The bytes are the UTF-8 encoding of one JSON
 * object with exactly these members in this order and no whitespace:
 * {@code seq} (decimal), {@code id} (lower-case UUID), {@code occurredAt} (ISO-8601 UTC as
 * {@link Instant#toString()} prints it), {@code actor}, {@code action}, {@code subjectType},
 * {@code subjectId}, {@code beforeDigest}, {@code afterDigest} (string or {@code null}) and
 * {@code details} (the stored details text, as a string). Strings escape {@code "} and {@code \} with
 * a backslash and U+0000..U+001F as {@code \}{@code u00xx} (lower-case hex); every other character is
 * written as itself.
 */
public record AuditLeaf(long seq, UUID id, Instant occurredAt, String actor, String action, String subjectType,
        String subjectId, String beforeDigest, String afterDigest, String details) {

    public byte[] bytes() {
        StringBuilder json = new StringBuilder(256 + (details == null ? 0 : details.length()));
        json.append("{\"seq\":").append(seq);
        member(json, "id", id.toString());
        member(json, "occurredAt", occurredAt.toString());
        member(json, "actor", actor);
        member(json, "action", action);
        member(json, "subjectType", subjectType);
        member(json, "subjectId", subjectId);
        member(json, "beforeDigest", beforeDigest);
        member(json, "afterDigest", afterDigest);
        member(json, "details", details);
        return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The RFC 6962 leaf hash of {@link #bytes()}. */
    public byte[] hash() {
        return MerkleTree.leafHash(bytes());
    }

    private static void member(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        if (value == null) {
            json.append("null");
            return;
        }
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
            } else {
                json.append(c);
            }
        }
        json.append('"');
    }
}
