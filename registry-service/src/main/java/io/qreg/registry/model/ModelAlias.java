package io.qreg.registry.model;

import java.time.Instant;
import java.util.UUID;

/**
 * A model's named pointer (an MLflow 2 alias such as {@code champion}) at one of its variants or, to serve it
 * unquantized, one of its checkpoints: exactly one of {@code variantId} and {@code checkpointId} is set.
 */
public record ModelAlias(String alias, String modelName, UUID variantId, UUID checkpointId, Instant updatedAt,
        String updatedBy) {
}
