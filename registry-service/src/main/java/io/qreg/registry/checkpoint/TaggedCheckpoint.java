package io.qreg.registry.checkpoint;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A checkpoint as {@code GET /api/v1/checkpoints/{id}} and a model's checkpoint list return it: with its tags. */
record TaggedCheckpoint(@JsonUnwrapped CheckpointView checkpoint, Map<String, String> tags) {
}
