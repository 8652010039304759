package io.qreg.onnx;

import static io.qreg.onnx.ProtoReader.LENGTH_DELIMITED;

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
            ProtoReader.Tag tag = r.readTag();
            switch (tag.field()) {
                case 1 -> name = r.stringField(tag, "name");
                case 2 -> type = r.message(tag, "type", this::readType);
                default -> r.skipValue(tag);
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
            ProtoReader.Tag tag = r.readTag();
            String kind = switch (tag.field()) {
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
                r.skipValue(tag);
            } else if (tag.field() == 1) {
                result = r.message(tag, kind, this::readTensorType);
            } else {
                r.expectWireType(tag.wireType(), LENGTH_DELIMITED, kind);
                r.skipValue(tag, kind);
                result = new TypeInfo(kind, null);
            }
        }
        return result;
    }

    private TypeInfo readTensorType() throws IOException {
        long elemType = 0;
        List<Dimension> shape = null;
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            switch (tag.field()) {
                case 1 -> elemType = r.varintField(tag, "elem_type");
                case 2 -> shape = r.message(tag, "shape", this::readShape);
                default -> r.skipValue(tag);
            }
        }
        return new TypeInfo(OnnxElementTypes.name(elemType), shape);
    }

    private List<Dimension> readShape() throws IOException {
        List<Dimension> dims = new ArrayList<>();
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            if (tag.field() == 1) {
                dims.add(r.message(tag, "dim", this::readDimension));
            } else {
                r.skipValue(tag);
            }
        }
        return dims;
    }

    private Dimension readDimension() throws IOException {
        Dimension dim = Dimension.unknown();
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            switch (tag.field()) {
                case 1 -> dim = Dimension.of(r.varintField(tag, "dim_value"));
                case 2 -> dim = Dimension.param(r.stringField(tag, "dim_param"));
                default -> r.skipValue(tag);
            }
        }
        return dim;
    }
}
