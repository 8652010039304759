package io.qreg.registry.dataset;

/** The {@code metadata} part of a dataset upload. */
record DatasetMetadata(String name, String purpose, String description) {
}
