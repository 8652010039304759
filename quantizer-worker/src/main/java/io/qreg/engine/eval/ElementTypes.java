package io.qreg.engine.eval;

import ai.onnxruntime.OnnxJavaType;
import io.qreg.npy.NpyDType;

import java.util.Optional;

/**
 * Maps between ONNX Runtime element types and numpy dtypes, and decides which dataset dtypes may feed which
 * model input types.
 *
 * <p>Conversions allowed: float to any float (an fp16 variant must accept the float32 dataset its original was
 * evaluated on, and rounding is what running it in fp16 means); integer or bool to any integer type (token ids are
 * saved as int64 by numpy but some exporters declare int32; out-of-range values are reported, never wrapped); bool
 * to bool. Float to integer and integer to float are refused: they almost always mean the wrong file was given.
 */
final class ElementTypes {

    private ElementTypes() {
    }

    static String name(OnnxJavaType type) {
        return switch (type) {
            case FLOAT -> "float32";
            case DOUBLE -> "float64";
            case FLOAT16 -> "float16";
            case BFLOAT16 -> "bfloat16";
            case INT64 -> "int64";
            case INT32 -> "int32";
            case INT16 -> "int16";
            case INT8 -> "int8";
            case UINT8 -> "uint8";
            case BOOL -> "bool";
            case STRING -> "string";
            case UNKNOWN -> "unknown";
        };
    }

    static boolean isFloat(OnnxJavaType type) {
        return type == OnnxJavaType.FLOAT || type == OnnxJavaType.DOUBLE || type == OnnxJavaType.FLOAT16;
    }

    static boolean isInteger(OnnxJavaType type) {
        return type == OnnxJavaType.INT64 || type == OnnxJavaType.INT32 || type == OnnxJavaType.INT16
                || type == OnnxJavaType.INT8 || type == OnnxJavaType.UINT8;
    }

    /** The numpy dtype with exactly this layout, if numpy and {@code io.qreg.npy} have one. */
    static Optional<NpyDType> npyType(OnnxJavaType type) {
        return NpyDType.forTypeName(name(type));
    }

    /** Why {@code source} cannot feed {@code target}, or empty if it can. */
    static Optional<String> incompatibility(NpyDType source, OnnxJavaType target) {
        boolean ok = switch (target) {
            case FLOAT, DOUBLE, FLOAT16 -> source.isFloatingPoint();
            case INT64, INT32, INT16, INT8, UINT8 -> !source.isFloatingPoint();
            case BOOL -> source == NpyDType.BOOL;
            default -> false;
        };
        if (ok) {
            return Optional.empty();
        }
        if (!isFloat(target) && !isInteger(target) && target != OnnxJavaType.BOOL) {
            return Optional.of("element type " + name(target) + " is not supported for inputs");
        }
        return Optional.of("a " + source.typeName() + " array cannot feed a " + name(target)
                + " input; save it with a.astype('" + name(target) + "')");
    }

    /** Bytes per element of {@code type} in an ONNX Runtime tensor. */
    static int size(OnnxJavaType type) {
        return type.size;
    }
}
