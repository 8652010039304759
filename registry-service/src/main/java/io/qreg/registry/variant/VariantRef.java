package io.qreg.registry.variant;

import java.util.UUID;

/** What other features need to know of a variant: its artifact and where it came from. */
public record VariantRef(UUID id, UUID checkpointId, String sha256, long sizeBytes, String method,
        String contentUrl) {
}
