package io.qreg.registry.dataset;

import java.util.List;

/** One array of a dataset: a model input, or the special {@code labels} / {@code slices}. */
public record DatasetArray(String name, String dtype, List<Long> shape) {
}
