package io.qreg.registry.audit;

import java.time.Instant;

/** A new signed tree head of the audit log (published in the transaction that records it). */
public record AuditCheckpointSigned(long treeSize, String rootHash, Instant timestamp, String signature,
        String keyFingerprint) {
}
