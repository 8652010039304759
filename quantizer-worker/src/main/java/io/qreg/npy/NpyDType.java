package io.qreg.npy;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The element types accepted in {@code .npy} files, all little-endian. Type names match the ones
 * {@code io.qreg.onnx} uses for model inputs, so the two can be compared directly.
 */
public enum NpyDType {
    FLOAT32("<f4", 4, "float32"),
    FLOAT16("<f2", 2, "float16"),
    FLOAT64("<f8", 8, "float64"),
    INT64("<i8", 8, "int64"),
    INT32("<i4", 4, "int32"),
    INT8("|i1", 1, "int8"),
    UINT8("|u1", 1, "uint8"),
    BOOL("|b1", 1, "bool");

    private final String descr;
    private final int itemSize;
    private final String typeName;

    NpyDType(String descr, int itemSize, String typeName) {
        this.descr = descr;
        this.itemSize = itemSize;
        this.typeName = typeName;
    }

    /** The dtype string numpy writes in the header, e.g. {@code <f4}. */
    public String descr() {
        return descr;
    }

    public int itemSize() {
        return itemSize;
    }

    /** Lowercase numpy name, e.g. {@code float32}. */
    public String typeName() {
        return typeName;
    }

    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT16 || this == FLOAT64;
    }

    public static Optional<NpyDType> forTypeName(String typeName) {
        return Arrays.stream(values()).filter(t -> t.typeName.equals(typeName)).findFirst();
    }

    /**
     * Parses a header {@code descr}. One-byte types may carry any byte-order mark, since order cannot
     * matter for them; wider types must say little-endian ({@code <}) explicitly, because {@code =}
     * means "the writer's machine order", which the file does not record.
     */
    public static NpyDType fromDescr(String descr) throws NpyFormatException {
        if (descr.length() >= 2 && "<>=|".indexOf(descr.charAt(0)) >= 0) {
            char order = descr.charAt(0);
            String code = descr.substring(1);
            for (NpyDType type : values()) {
                if (!type.descr.substring(1).equals(code)) {
                    continue;
                }
                if (type.itemSize == 1 || order == '<') {
                    return type;
                }
                if (order == '>') {
                    throw new NpyFormatException("big-endian dtype '" + descr + "' is not supported; convert it"
                            + " with a.astype('" + type.descr + "') before saving");
                }
                throw new NpyFormatException("dtype '" + descr + "' does not state its byte order; save the array"
                        + " as little-endian '" + type.descr + "'");
            }
        }
        throw new NpyFormatException("unsupported dtype '" + descr + "'; supported: " + supportedList());
    }

    static String supportedList() {
        return Arrays.stream(values()).map(t -> t.typeName + " (" + t.descr + ")").collect(Collectors.joining(", "));
    }
}
