package io.qreg.registry.checkpoint;

import java.util.List;

/**
 * A named tensor of a model's signature. Shape entries are numbers for fixed dimensions and
 * strings for symbolic ones (e.g. {@code ["batch", 64]}); null means the rank is unknown.
 */
public record TensorSpec(String name, String elementType, List<Object> shape) {
}
