package io.qreg.registry.dataset;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A dataset version as the API returns it. {@code inputs} excludes labels and slices; {@code sliceNames} names slice
 * id i at index i (null: slices are known by id).
 */
public record DatasetView(UUID id, String name, int version, String purpose, String description, String sha256,
        long sizeBytes, String format, long samples, List<DatasetArray> inputs, boolean hasLabels,
        boolean hasSlices, List<String> sliceNames, Instant createdAt, String createdBy) {
}
