package io.qreg.onnx;

import static io.qreg.onnx.ProtoReader.LENGTH_DELIMITED;
import static io.qreg.onnx.ProtoReader.VARINT;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@code ValueInfoProto} (a graph input or output declaration) into a {@link TensorSignature},
 * reading only the name, element type and shape and skipping everything else.
 */
final class SignatureParser {

    private final ProtoReader r;

    SignatureParser(ProtoReader r) {
        this.r = r;
    }

    /** Parses a ValueInfoProto; the caller has already entered its length-delimited field. */
    TensorSignature readValueInfo() throws IOException {
        String name = "";
        TypeInfo type = new TypeInfo(OnnxElementTypes.name(0), null);
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            switch (field) {
                case 1 -> {
                    r.expectWireType(wireType, LENGTH_DELIMITED, "name");
                    name = r.readString("name");
                }
                case 2 -> {
                    type = r.message(wireType, "type", this::readType);
                }
                default -> r.skipValue(wireType, "#" + field);
            }
        }
        return new TensorSignature(name, type.elementType(), type.shape());
    }

    private record TypeInfo(String elementType, List<Dimension> shape) {
    }

    /** TypeProto is a oneof; only tensors are described in detail, other kinds are named for the listing. */
    private TypeInfo readType() throws IOException {
        TypeInfo result = new TypeInfo(OnnxElementTypes.name(0), null);
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            String kind = switch (field) {
                case 1 -> "tensor_type";
                case 4 -> "sequence";
                case 5 -> "map";
                case 7 -> "opaque";
                case 8 -> "sparse_tensor";
                case 9 -> "optional";
                default -> null;
            };
            if (kind == null) {
                // denotation (6) and anything newer: not part of the signature.
                r.skipValue(wireType, "#" + field);
            } else if (field == 1) {
                result = r.message(wireType, kind, this::readTensorType);
            } else {
                r.expectWireType(wireType, LENGTH_DELIMITED, kind);
                r.skipValue(wireType, kind);
                result = new TypeInfo(kind, null);
            }
        }
        return result;
    }

    private TypeInfo readTensorType() throws IOException {
        long elemType = 0;
        List<Dimension> shape = null;
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            switch (field) {
                case 1 -> {
                    r.expectWireType(wireType, VARINT, "elem_type");
                    elemType = r.readVarint();
                }
                case 2 -> {
                    shape = r.message(wireType, "shape", this::readShape);
                }
                default -> r.skipValue(wireType, "#" + field);
            }
        }
        return new TypeInfo(OnnxElementTypes.name(elemType), shape);
    }

    private List<Dimension> readShape() throws IOException {
        List<Dimension> dims = new ArrayList<>();
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            if (field == 1) {
                dims.add(r.message(wireType, "dim", this::readDimension));
            } else {
                r.skipValue(wireType, "#" + field);
            }
        }
        return dims;
    }

    private Dimension readDimension() throws IOException {
        Dimension dim = Dimension.unknown();
        while (!r.atEnd()) {
            int tag = r.readTag();
            int field = tag >>> 3;
            int wireType = tag & 7;
            switch (field) {
                case 1 -> {
                    r.expectWireType(wireType, VARINT, "dim_value");
                    dim = Dimension.of(r.readVarint());
                }
                case 2 -> {
                    r.expectWireType(wireType, LENGTH_DELIMITED, "dim_param");
                    dim = Dimension.param(r.readString("dim_param"));
                }
                default -> r.skipValue(wireType, "#" + field);
            }
        }
        return dim;
    }
}
