package io.qreg.onnx;

import java.util.List;
import java.util.Objects;

/**
 * The declared type of one graph input or output.
 *
 * @param name        the value's name in the graph
 * @param elementType a lowercase numpy-style element type for tensors (see {@link OnnxElementTypes}),
 *                    or the kind of a non-tensor value ({@code sequence}, {@code map}, {@code optional},
 *                    {@code sparse_tensor}, {@code opaque}); {@code undefined} when the type is absent
 * @param shape       the dimensions, outermost first; an empty list is a scalar (rank 0), and
 *                    {@code null} means the rank itself is unknown (no shape declared, or not a tensor)
 */
public record TensorSignature(String name, String elementType, List<Dimension> shape) {

    public TensorSignature {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(elementType, "elementType");
        shape = shape == null ? null : List.copyOf(shape);
    }

    public boolean hasKnownRank() {
        return shape != null;
    }

    /** E.g. {@code input float32 [batch, 64]}, or {@code [?rank]} when the rank is unknown. */
    @Override
    public String toString() {
        return name + " " + elementType + " " + (shape == null ? "[?rank]" : shape.toString());
    }
}
