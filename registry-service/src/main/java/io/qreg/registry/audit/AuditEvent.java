package io.qreg.registry.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.worker.audit.AuditLeaf;

/** One link of the audit chain, exactly as stored. */
public record AuditEvent(long seq, UUID id, Instant occurredAt, String actor, String action, String subjectType,
        String subjectId, String beforeDigest, String afterDigest, String details, String prevHash, String hash) {

    /** The first link's predecessor. */
    public static final String GENESIS = "0".repeat(64);

    /** What the hash covers: every field but the hash itself, in canonical form. */
    public String canonicalContent() {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("seq", seq);
        content.put("id", id.toString());
        content.put("occurredAt", occurredAt.toString());
        content.put("actor", actor);
        content.put("action", action);
        content.put("subjectType", subjectType);
        content.put("subjectId", subjectId);
        content.put("beforeDigest", beforeDigest);
        content.put("afterDigest", afterDigest);
        content.put("details", details);
        return CanonicalJson.write(content);
    }

    public String computeHash() {
        return CanonicalJson.sha256Hex(prevHash + canonicalContent());
    }

    /** The event as a leaf of the audit Merkle tree: its content only, never the stored hashes. */
    public AuditLeaf leaf() {
        return new AuditLeaf(seq, id, occurredAt, actor, action, subjectType, subjectId, beforeDigest, afterDigest,
                details);
    }
}
