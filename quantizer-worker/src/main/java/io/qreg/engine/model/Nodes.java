package io.qreg.engine.model;

import com.google.protobuf.ByteString;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.AttributeProto.AttributeType;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TensorProto;
import java.util.List;
import java.util.Optional;

/**
 * Building {@link NodeProto}s and reading their attributes with ONNX's defaults, so passes do not
 * repeat the protobuf boilerplate. A getter whose attribute exists with another type throws, because
 * silently using the default would hide a malformed model.
 */
public final class Nodes {

    private Nodes() {
    }

    /** A node of the default ONNX domain. */
    public static NodeProto node(String opType, List<String> inputs, List<String> outputs, String name,
            AttributeProto... attributes) {
        return node("", opType, inputs, outputs, name, attributes);
    }

    /** A node of {@code domain} (e.g. {@code "com.microsoft"} for MatMulNBits). */
    public static NodeProto node(String domain, String opType, List<String> inputs, List<String> outputs,
            String name, AttributeProto... attributes) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(opType).setName(name)
                .addAllInput(inputs).addAllOutput(outputs);
        if (!domain.isEmpty()) {
            b.setDomain(domain);
        }
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        return b.build();
    }

    public static AttributeProto intAttr(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    public static AttributeProto floatAttr(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }

    public static AttributeProto stringAttr(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    public static AttributeProto intsAttr(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    public static AttributeProto floatsAttr(String name, float... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOATS);
        for (float v : values) {
            b.addFloats(v);
        }
        return b.build();
    }

    public static AttributeProto tensorAttr(String name, TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
    }

    public static Optional<AttributeProto> attr(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** An INT attribute (int64 in ONNX, hence long). */
    public static long attrInt(NodeProto node, String name, long defaultValue) {
        return attr(node, name).map(a -> expect(node, a, AttributeType.INT).getI()).orElse(defaultValue);
    }

    public static float attrFloat(NodeProto node, String name, float defaultValue) {
        return attr(node, name).map(a -> expect(node, a, AttributeType.FLOAT).getF()).orElse(defaultValue);
    }

    public static String attrString(NodeProto node, String name, String defaultValue) {
        return attr(node, name).map(a -> expect(node, a, AttributeType.STRING).getS().toStringUtf8())
                .orElse(defaultValue);
    }

    /** An INTS attribute; the default is returned as given (not copied). */
    public static long[] attrInts(NodeProto node, String name, long[] defaultValue) {
        return attr(node, name)
                .map(a -> expect(node, a, AttributeType.INTS).getIntsList().stream().mapToLong(Long::longValue).toArray())
                .orElse(defaultValue);
    }

    public static float[] attrFloats(NodeProto node, String name, float[] defaultValue) {
        return attr(node, name).map(a -> {
            List<Float> list = expect(node, a, AttributeType.FLOATS).getFloatsList();
            float[] out = new float[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = list.get(i);
            }
            return out;
        }).orElse(defaultValue);
    }

    public static Optional<TensorProto> attrTensor(NodeProto node, String name) {
        return attr(node, name).map(a -> expect(node, a, AttributeType.TENSOR).getT());
    }

    /** The node with {@code attribute} added, or replacing the attribute of the same name. */
    public static NodeProto withAttribute(NodeProto node, AttributeProto attribute) {
        NodeProto.Builder b = node.toBuilder();
        for (int i = 0; i < b.getAttributeCount(); i++) {
            if (b.getAttribute(i).getName().equals(attribute.getName())) {
                return b.setAttribute(i, attribute).build();
            }
        }
        return b.addAttribute(attribute).build();
    }

    /** The node's name, or its op type and first output when exporters left it unnamed; for messages. */
    public static String describe(NodeProto node) {
        String name = node.getName().isEmpty()
                ? "(unnamed, output " + (node.getOutputCount() > 0 ? node.getOutput(0) : "none") + ")"
                : node.getName();
        return node.getOpType() + " node " + name;
    }

    /** The name a layer report gives the node: its own, or {@link #describe} when exporters left it unnamed. */
    public static String reportName(NodeProto node) {
        return node.getName().isEmpty() ? describe(node) : node.getName();
    }

    private static AttributeProto expect(NodeProto node, AttributeProto a, AttributeType type) {
        // Old exporters omit the type field; then the populated field decides.
        AttributeType actual = a.hasType() ? a.getType() : inferType(a);
        if (actual != type) {
            throw new IllegalArgumentException(describe(node) + ": attribute '" + a.getName() + "' is " + actual
                    + ", expected " + type);
        }
        return a;
    }

    private static AttributeType inferType(AttributeProto a) {
        if (a.hasI()) {
            return AttributeType.INT;
        } else if (a.hasF()) {
            return AttributeType.FLOAT;
        } else if (a.hasS()) {
            return AttributeType.STRING;
        } else if (a.hasT()) {
            return AttributeType.TENSOR;
        } else if (a.getIntsCount() > 0) {
            return AttributeType.INTS;
        } else if (a.getFloatsCount() > 0) {
            return AttributeType.FLOATS;
        }
        return AttributeType.UNDEFINED;
    }

    /**
     * A graph input or output's type: a tensor of {@code type} whose dimensions are each a number or, for a symbolic
     * dimension such as "batch", its name; no dimensions at all leaves the shape unstated.
     */
    public static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TypeProto.Tensor.Builder tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber());
        if (dims.length > 0) {
            TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
            for (Object dim : dims) {
                TensorShapeProto.Dimension.Builder b = TensorShapeProto.Dimension.newBuilder();
                if (dim instanceof String param) {
                    b.setDimParam(param);
                } else {
                    b.setDimValue(((Number) dim).longValue());
                }
                shape.addDim(b);
            }
            tensor.setShape(shape);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }
}
