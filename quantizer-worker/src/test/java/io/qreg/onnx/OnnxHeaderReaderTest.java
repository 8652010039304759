package io.qreg.onnx;

import static io.qreg.onnx.ProtoBytes.bytesField;
import static io.qreg.onnx.ProtoBytes.concat;
import static io.qreg.onnx.ProtoBytes.initializer;
import static io.qreg.onnx.ProtoBytes.model;
import static io.qreg.onnx.ProtoBytes.opsetImport;
import static io.qreg.onnx.ProtoBytes.stringField;
import static io.qreg.onnx.ProtoBytes.tensorValueInfo;
import static io.qreg.onnx.ProtoBytes.varintField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class OnnxHeaderReaderTest {

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    static byte[] fixture(String name) {
        try (InputStream in = OnnxHeaderReaderTest.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static OnnxModelHeader read(byte[] bytes) throws IOException {
        return OnnxHeaderReader.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void readsDigitsMlpSignatureWithSymbolicBatchDimension() throws IOException {
        byte[] bytes = fixture("digits_mlp.onnx");

        OnnxModelHeader header = read(bytes);

        assertThat(header.irVersion()).isEqualTo(8);
        assertThat(header.opset()).isEqualTo(17);
        assertThat(header.opsetImports()).containsExactly(new OpsetImport("", 17));
        assertThat(header.producerName()).isEqualTo("pytorch");
        assertThat(header.producerVersion()).isEqualTo("2.11.0");
        assertThat(header.graphName()).isEqualTo("main_graph");
        assertThat(header.inputs()).containsExactly(
                new TensorSignature("input", "float32", List.of(Dimension.param("batch"), Dimension.of(64))));
        assertThat(header.outputs()).containsExactly(
                new TensorSignature("logits", "float32", List.of(Dimension.param("batch"), Dimension.of(10))));
        assertThat(header.initializerCount()).isEqualTo(6); // three Gemm layers: weight + bias each
        assertThat(header.nodeCount()).isEqualTo(5); // three Gemm, two Relu
        assertThat(header.bytesRead()).isEqualTo(bytes.length);
    }

    @Test
    void readsDigitsCnnImageInput() throws IOException {
        OnnxModelHeader header = read(fixture("digits_cnn.onnx"));

        assertThat(header.opset()).isEqualTo(17);
        assertThat(header.inputs()).singleElement().hasToString("input float32 [batch, 1, 8, 8]");
        assertThat(header.outputs()).singleElement().hasToString("logits float32 [batch, 10]");
        assertThat(header.initializerCount()).isEqualTo(8);
    }

    @Test
    void readsByteLmWithTwoSymbolicDimensions() throws IOException {
        OnnxModelHeader header = read(fixture("bytelm_small.onnx"));

        assertThat(header.inputs()).containsExactly(new TensorSignature("input_ids", "int64",
                List.of(Dimension.param("batch"), Dimension.param("seq"))));
        assertThat(header.outputs()).containsExactly(new TensorSignature("logits", "float32",
                List.of(Dimension.param("batch"), Dimension.param("seq"), Dimension.of(256))));
        assertThat(header.bytesRead()).isEqualTo(2_003_252L);
    }

    @Test
    void consumesTheWholeStream() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(fixture("digits_cnn.onnx"));

        OnnxHeaderReader.read(in);

        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void rejectsDigitsMlpCutAtSeveralOffsetsAsTruncated() {
        byte[] bytes = fixture("digits_mlp.onnx");
        // In order: inside the ir_version value, inside the graph's length prefix, inside the first node,
        // inside an initializer's raw_data (the weights are most of the file), inside the trailing opset_import.
        int[] cuts = {1, 21, 60, bytes.length / 2, bytes.length - 1};
        for (int cut : cuts) {
            assertThatThrownBy(() -> read(Arrays.copyOf(bytes, cut)))
                    .as("cut at %d", cut)
                    .isInstanceOf(OnnxFormatException.class)
                    .hasMessageStartingWith("truncated ONNX model: ")
                    .hasMessageContaining("after " + cut + " bytes");
        }
        assertThatThrownBy(() -> read(Arrays.copyOf(bytes, 60)))
                .hasMessage("truncated ONNX model: field graph.node.output declares 17 bytes at byte 54"
                        + " but the file ends after 60 bytes");
        assertThatThrownBy(() -> read(Arrays.copyOf(bytes, bytes.length / 2)))
                .hasMessageContaining("field graph.initializer.raw_data declares ");
    }

    @Test
    void rejectsEveryProperPrefixOfARealModel() {
        byte[] bytes = fixture("digits_mlp.onnx");
        for (int cut = 0; cut < bytes.length; cut += (cut < 2_000 ? 1 : 997)) {
            int length = cut;
            assertThatThrownBy(() -> read(Arrays.copyOf(bytes, length)))
                    .as("prefix of %d bytes", length)
                    .isInstanceOf(OnnxFormatException.class);
        }
    }

    @Test
    void rejectsEmptyInput() {
        assertThatThrownBy(() -> read(new byte[0]))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessage("not an ONNX model: the file is empty");
    }

    @Test
    void rejectsTextFileAsNotOnnx() {
        byte[] text = "name,label\nfoo,1\nbar,2\n".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> read(text))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessageStartingWith("not an ONNX model: ");
    }

    @Test
    void rejectsRandomBytes() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 200; i++) {
            byte[] noise = new byte[1 + random.nextInt(4096)];
            random.nextBytes(noise);
            assertThatThrownBy(() -> read(noise))
                    .as("random sample %d", i)
                    .isInstanceOf(OnnxFormatException.class)
                    .hasMessageMatching("(not an ONNX model|truncated ONNX model): .+");
        }
    }

    @Test
    void rejectsInvalidWireTypeWithItsOffset() {
        byte[] bytes = {0x08, 0x08, 0x0F};

        assertThatThrownBy(() -> read(bytes))
                .hasMessage("not an ONNX model: invalid protobuf wire type 7 at byte 2");
    }

    @Test
    void rejectsProtobufGroups() {
        byte[] bytes = {0x08, 0x08, 0x0B, 0x0C};

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("groups");
    }

    @Test
    void rejectsVarintLongerThanTenBytes() {
        byte[] bytes = new byte[12];
        Arrays.fill(bytes, (byte) 0xFF);
        bytes[0] = 0x08;

        assertThatThrownBy(() -> read(bytes))
                .hasMessage("not an ONNX model: varint longer than 10 bytes at byte 1");
    }

    @Test
    void rejectsModelWithoutGraph() {
        byte[] bytes = concat(varintField(1, 8), opsetImport("", 17));

        assertThatThrownBy(() -> read(bytes)).hasMessage("not an ONNX model: no graph");
    }

    @Test
    void rejectsModelWithoutIrVersion() {
        byte[] bytes = concat(bytesField(7, stringField(2, "g")), opsetImport("", 17));

        assertThatThrownBy(() -> read(bytes)).hasMessage("not an ONNX model: ir_version missing");
    }

    @Test
    void rejectsModelWithoutOpsetImportAsPossiblyTruncated() {
        byte[] bytes = concat(varintField(1, 8), bytesField(7, stringField(2, "g")));

        assertThatThrownBy(() -> read(bytes)).hasMessageContaining("no opset_import");
    }

    @Test
    void rejectsNestedLengthExceedingItsParent() {
        // The graph claims 10 bytes, but its input claims 50 inside it.
        byte[] graph = concat(ProtoBytes.lengthHeader(11, 50), new byte[8]);
        byte[] bytes = concat(varintField(1, 8), bytesField(7, graph), new byte[60]);

        assertThatThrownBy(() -> read(bytes))
                .hasMessage("not an ONNX model: field graph.input declares 50 bytes at byte 6"
                        + " but its enclosing field graph has only 8 left");
    }

    @Test
    void rejectsSkippedFieldRunningPastEndOfFile() {
        // doc_string is never read, but a length past the end still means the file was cut.
        byte[] bytes = concat(varintField(1, 8), ProtoBytes.lengthHeader(6, 1000), new byte[10]);

        assertThatThrownBy(() -> read(bytes))
                .hasMessage("truncated ONNX model: field doc_string declares 1000 bytes at byte 5"
                        + " but the file ends after 15 bytes");
    }

    @Test
    void rejectsNamesLongerThan64KiB() {
        byte[] graph = stringField(2, "g".repeat(70_000));

        assertThatThrownBy(() -> read(model(graph)))
                .hasMessageContaining("graph.name")
                .hasMessageContaining("70000 bytes");
    }

    @Test
    void rejectsKnownFieldWithWrongWireType() {
        byte[] bytes = concat(varintField(1, 8), varintField(7, 3));

        assertThatThrownBy(() -> read(bytes))
                .hasMessageStartingWith("not an ONNX model: field graph has wire type 0 (varint),"
                        + " expected 2 (length-delimited)");
    }

    @Test
    void dropsInputsThatOnlyRedeclareInitializers() throws IOException {
        byte[] graph = concat(
                initializer("w", new byte[16]),
                bytesField(11, tensorValueInfo("x", FLOAT, "n", 4L)),
                bytesField(11, tensorValueInfo("w", FLOAT, 4L, 4L)),
                bytesField(12, tensorValueInfo("y", FLOAT, "n", 4L)),
                // An initializer after the inputs must be matched too.
                initializer("b", new byte[16]),
                bytesField(11, tensorValueInfo("b", FLOAT, 4L)));

        OnnxModelHeader header = read(model(graph));

        assertThat(header.inputs()).extracting(TensorSignature::name).containsExactly("x");
        assertThat(header.initializerCount()).isEqualTo(2);
    }

    @Test
    void distinguishesScalarUnknownRankUnknownDimensionAndNonTensorTypes() throws IOException {
        byte[] noShape = concat(stringField(1, "unranked"),
                bytesField(2, bytesField(1, varintField(1, INT64))));
        byte[] sequence = concat(stringField(1, "seq"),
                bytesField(2, bytesField(4, bytesField(1, bytesField(1, varintField(1, FLOAT))))));
        byte[] graph = concat(
                bytesField(11, tensorValueInfo("scalar", FLOAT)),
                bytesField(11, noShape),
                bytesField(11, tensorValueInfo("partial", INT64, null, 3L)),
                bytesField(11, sequence),
                bytesField(12, tensorValueInfo("out", 23)));

        OnnxModelHeader header = read(model(graph));

        assertThat(header.inputs()).containsExactly(
                new TensorSignature("scalar", "float32", List.of()),
                new TensorSignature("unranked", "int64", null),
                new TensorSignature("partial", "int64", List.of(Dimension.unknown(), Dimension.of(3))),
                new TensorSignature("seq", "sequence", null));
        assertThat(header.inputs().get(2)).hasToString("partial int64 [?, 3]");
        assertThat(header.outputs()).singleElement()
                .extracting(TensorSignature::elementType).isEqualTo("float4e2m1");
    }

    @Test
    void reportsOpsetOfDefaultDomainAmongCustomDomains() throws IOException {
        byte[] bytes = concat(varintField(1, 8), bytesField(7, stringField(2, "g")),
                opsetImport("com.microsoft", 1), opsetImport("ai.onnx", 21));

        OnnxModelHeader header = read(bytes);

        assertThat(header.opset()).isEqualTo(21);
        assertThat(header.opsetImports()).hasSize(2);
    }
}
