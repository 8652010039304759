package io.qreg.registry.dataset;

import tools.jackson.databind.JsonNode;

/** The {@code metadata} part of a dataset upload; {@code sliceNames} is checked by {@link SliceNames}. */
record DatasetMetadata(String name, String purpose, String description, JsonNode sliceNames) {
}
