package io.qreg.onnx;

/**
 * One dimension of a tensor shape: a fixed size, a symbolic name (such as {@code batch}) that the
 * runtime binds per call, or neither when the exporter left it unknown.
 */
public record Dimension(Long value, String param) {

    private static final Dimension UNKNOWN = new Dimension(null, null);

    public Dimension {
        if (value != null && param != null) {
            // dim_value and dim_param are a protobuf oneof; a dimension cannot be both.
            throw new IllegalArgumentException("a dimension is either a value or a param, not both");
        }
    }

    public static Dimension of(long value) {
        return new Dimension(value, null);
    }

    public static Dimension param(String name) {
        return new Dimension(null, name);
    }

    public static Dimension unknown() {
        return UNKNOWN;
    }

    public boolean isFixed() {
        return value != null;
    }

    public boolean isSymbolic() {
        return param != null;
    }

    /** The size, the symbolic name, or {@code ?} when the dimension is unknown. */
    @Override
    public String toString() {
        if (value != null) {
            return value.toString();
        }
        return param != null ? param : "?";
    }
}
