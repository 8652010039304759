package io.qreg.onnx;

import java.util.List;

/**
 * Names for ONNX {@code TensorProto.DataType} codes, spelled the way numpy users know them so the
 * registry can compare a model's input type with an uploaded {@code .npy} dtype directly.
 */
public final class OnnxElementTypes {

    /** Index = DataType code; ONNX 1.17 defines 0..23. */
    private static final List<String> NAMES = List.of(
            "undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64", "string",
            "bool", "float16", "float64", "uint32", "uint64", "complex64", "complex128", "bfloat16",
            "float8e4m3fn", "float8e4m3fnuz", "float8e5m2", "float8e5m2fnuz", "uint4", "int4",
            "float4e2m1");

    private OnnxElementTypes() {
    }

    /**
     * The name for a DataType code. Codes newer than this reader are reported as {@code dtype<N>}
     * instead of failing, because a newer exporter's model is still a model we can list.
     */
    public static String name(long code) {
        if (code >= 0 && code < NAMES.size()) {
            return NAMES.get((int) code);
        }
        return "dtype<" + code + ">";
    }
}
