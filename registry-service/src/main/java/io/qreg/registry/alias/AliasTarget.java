package io.qreg.registry.alias;

import java.util.UUID;

/** The body of {@code PUT /api/v1/models/{name}/aliases/{alias}}: exactly one of the two. */
public record AliasTarget(UUID variantId, UUID checkpointId) {
}
