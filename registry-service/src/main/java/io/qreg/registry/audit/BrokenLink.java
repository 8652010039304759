package io.qreg.registry.audit;

import java.util.UUID;

/** Where the audit chain first fails to verify, and why. */
public record BrokenLink(long seq, UUID eventId, String reason) {
}
