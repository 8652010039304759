package io.qreg.engine.eval;

import ai.onnxruntime.OnnxJavaType;

import java.util.Arrays;
import java.util.Objects;

/**
 * A model input or output as ONNX Runtime describes it.
 *
 * @param name      the graph value's name
 * @param type      the element type
 * @param shape     dimensions, outermost first; a negative entry is symbolic (decided at run time)
 * @param dimNames  the symbolic dimensions' names ({@code batch}, {@code sequence}); empty strings for fixed dims
 */
public record TensorSpec(String name, OnnxJavaType type, long[] shape, String[] dimNames) {

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        shape = shape.clone();
        dimNames = dimNames == null ? new String[shape.length] : dimNames.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String[] dimNames() {
        return dimNames.clone();
    }

    public int rank() {
        return shape.length;
    }

    public boolean isSymbolic(int dim) {
        return shape[dim] < 0;
    }

    /** The numpy-style element type name ({@code float32}, {@code int64}), as {@code io.qreg.npy} spells it. */
    public String elementTypeName() {
        return ElementTypes.name(type);
    }

    /** E.g. {@code float32[batch, 64]}; unnamed symbolic dims print as {@code ?}. */
    public String describe() {
        StringBuilder b = new StringBuilder(elementTypeName()).append('[');
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            if (shape[i] >= 0) {
                b.append(shape[i]);
            } else {
                String dimName = dimNames[i];
                b.append(dimName == null || dimName.isEmpty() ? "?" : dimName);
            }
        }
        return b.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape)
                && Arrays.equals(dimNames, t.dimNames);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + describe();
    }
}
