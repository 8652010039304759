package io.qreg.registry.variant;

import java.util.UUID;

/** Published inside the transaction that stores a new variant (once per QUANTIZE job), so listeners act on it atomically. */
public record VariantCreated(UUID variantId, String modelName, String method, String sha256, long sizeBytes,
        UUID jobId) {
}
