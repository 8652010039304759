package io.qreg.registry.checkpoint;

import java.util.UUID;

/** The {@code metadata} part of a checkpoint upload. */
record CheckpointMetadata(String version, String license, String redistribution, String sourceUri, String sha256,
        UUID parentCheckpointId) {
}
