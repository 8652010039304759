package io.qreg.onnx;

import static io.qreg.onnx.ProtoReader.LENGTH_DELIMITED;
import static io.qreg.onnx.ProtoReader.VARINT;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an {@link OnnxModelHeader} from a serialized {@code ModelProto} without loading the model.
 *
 * <p>The protobuf wire format is decoded by hand so that weights and node bodies can be streamed past
 * instead of materialized: heap use is a small fixed buffer plus the names it keeps (inputs, outputs,
 * and the initializer names needed to drop weights that older exporters also list as inputs). The
 * whole stream is consumed, so truncation anywhere, even inside a skipped weight, is reported.
 */
public final class OnnxHeaderReader {

    /** ModelProto field numbers and the wire type each must use; used to recognise a model by its first field. */
    private static final int[][] MODEL_FIELDS = {
        {1, VARINT}, {2, LENGTH_DELIMITED}, {3, LENGTH_DELIMITED}, {4, LENGTH_DELIMITED},
        {5, VARINT}, {6, LENGTH_DELIMITED}, {7, LENGTH_DELIMITED}, {8, LENGTH_DELIMITED},
        {14, LENGTH_DELIMITED}, {20, LENGTH_DELIMITED}, {25, LENGTH_DELIMITED}, {26, LENGTH_DELIMITED},
    };

    private final ProtoReader r;
    private final SignatureParser signatures;

    private Long irVersion;
    private String producerName = "";
    private String producerVersion = "";
    private final List<OpsetImport> opsetImports = new ArrayList<>();
    private boolean sawGraph;
    private String graphName = "";
    private long nodeCount;
    private boolean quantized;
    private long initializerCount;
    private final Set<String> initializerNames = new HashSet<>();
    private final List<TensorSignature> inputs = new ArrayList<>();
    private final List<TensorSignature> outputs = new ArrayList<>();

    private OnnxHeaderReader(InputStream in) {
        this.r = new ProtoReader(in);
        this.signatures = new SignatureParser(r);
    }

    /**
     * Reads the whole stream as an ONNX model. The stream is read to its end but not closed; it need
     * not be buffered, the reader buffers internally.
     *
     * @throws OnnxFormatException if the bytes are not a complete, well-formed ONNX model
     * @throws IOException         if reading the stream fails
     */
    public static OnnxModelHeader read(InputStream in) throws IOException {
        return new OnnxHeaderReader(in).readModel();
    }

    private OnnxModelHeader readModel() throws IOException {
        if (r.atEnd()) {
            throw new OnnxFormatException("not an ONNX model: the file is empty");
        }
        boolean first = true;
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            if (first && !isModelField(tag.field(), tag.wireType())) {
                // Serializers write fields in number order, so a real model starts with one of its own fields.
                throw r.notOnnx("the file does not start with an ONNX ModelProto field (found field " + tag.field()
                        + ", wire type " + tag.wireType() + ")");
            }
            first = false;
            switch (tag.field()) {
                case 1 -> irVersion = r.varintField(tag, "ir_version");
                case 2 -> producerName = r.stringField(tag, "producer_name");
                case 3 -> producerVersion = r.stringField(tag, "producer_version");
                case 7 -> {
                    r.message(tag, "graph", () -> {
                        readGraph();
                        return null;
                    });
                    sawGraph = true;
                }
                case 8 -> opsetImports.add(r.message(tag, "opset_import", this::readOpsetImport));
                default -> r.skipValue(tag, fieldName(tag.field()));
            }
        }
        if (irVersion == null) {
            throw new OnnxFormatException("not an ONNX model: ir_version missing");
        }
        if (!sawGraph) {
            throw new OnnxFormatException("not an ONNX model: no graph");
        }
        if (opsetImports.isEmpty() && irVersion >= 3) {
            // Required since IR version 3; its absence usually means the file was cut right after the graph.
            throw new OnnxFormatException("not an ONNX model: no opset_import (a model must declare the operator"
                    + " sets it uses; the file may be truncated)");
        }
        long opset = opsetImports.stream()
                .filter(OpsetImport::isDefaultDomain)
                .mapToLong(OpsetImport::version)
                .findFirst()
                .orElse(0);
        List<TensorSignature> feeds = inputs.stream()
                .filter(input -> !initializerNames.contains(input.name()))
                .toList();
        return new OnnxModelHeader(irVersion, opset, opsetImports, producerName, producerVersion, graphName,
                feeds, outputs, initializerCount, nodeCount, r.position(), quantized);
    }

    private void readGraph() throws IOException {
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            switch (tag.field()) {
                case 1 -> {
                    quantized |= r.message(tag, "node", this::readIsQuantizedOp);
                    nodeCount++;
                }
                case 2 -> graphName = r.stringField(tag, "name");
                case 5 -> {
                    String name = r.message(tag, "initializer", this::readInitializerName);
                    initializerCount++;
                    if (name != null) {
                        initializerNames.add(name);
                    }
                }
                case 11, 12 -> {
                    String kind = tag.field() == 11 ? "input" : "output";
                    TensorSignature signature = r.message(tag, kind, signatures::readValueInfo);
                    (tag.field() == 11 ? inputs : outputs).add(signature);
                }
                default -> r.skipValue(tag, graphFieldName(tag.field()));
            }
        }
    }

    /**
     * Reads NodeProto.op_type and domain and streams past the rest (inputs, outputs, attributes with their
     * tensors and subgraphs): whether the node is one of {@link QuantizedOps}.
     */
    private boolean readIsQuantizedOp() throws IOException {
        String opType = "";
        String domain = "";
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            if (tag.field() == 4) {
                opType = r.stringField(tag, "op_type");
            } else if (tag.field() == 7) {
                domain = r.stringField(tag, "domain");
            } else {
                r.skipValue(tag, switch (tag.field()) {
                    case 1 -> "input";
                    case 2 -> "output";
                    case 3 -> "name";
                    case 5 -> "attribute";
                    default -> "#" + tag.field();
                });
            }
        }
        return QuantizedOps.isQuantized(domain, opType);
    }

    /** Reads TensorProto.name and streams past everything else, including raw_data. */
    private String readInitializerName() throws IOException {
        String name = null;
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            if (tag.field() == 8) {
                name = r.stringField(tag, "name");
            } else {
                r.skipValue(tag, tag.field() == 9 ? "raw_data" : "#" + tag.field());
            }
        }
        return name;
    }

    private OpsetImport readOpsetImport() throws IOException {
        String domain = "";
        long version = 0;
        while (!r.atEnd()) {
            ProtoReader.Tag tag = r.readTag();
            switch (tag.field()) {
                case 1 -> domain = r.stringField(tag, "domain");
                case 2 -> version = r.varintField(tag, "version");
                default -> r.skipValue(tag);
            }
        }
        return new OpsetImport(domain, version);
    }

    private static boolean isModelField(int field, int wireType) {
        for (int[] known : MODEL_FIELDS) {
            if (known[0] == field) {
                return known[1] == wireType;
            }
        }
        return false;
    }

    /** Names for skipped fields, so a truncation message says e.g. "doc_string" rather than "#6". */
    private static String fieldName(int field) {
        return switch (field) {
            case 4 -> "domain";
            case 5 -> "model_version";
            case 6 -> "doc_string";
            case 14 -> "metadata_props";
            case 20 -> "training_info";
            case 25 -> "functions";
            default -> "#" + field;
        };
    }

    private static String graphFieldName(int field) {
        return switch (field) {
            case 10 -> "doc_string";
            case 13 -> "value_info";
            case 14 -> "quantization_annotation";
            case 15 -> "sparse_initializer";
            default -> "#" + field;
        };
    }
}
