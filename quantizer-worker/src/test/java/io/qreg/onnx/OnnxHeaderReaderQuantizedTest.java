package io.qreg.onnx;

import static io.qreg.onnx.ProtoBytes.bytesField;
import static io.qreg.onnx.ProtoBytes.concat;
import static io.qreg.onnx.ProtoBytes.opsetImport;
import static io.qreg.onnx.ProtoBytes.stringField;
import static io.qreg.onnx.ProtoBytes.varintField;
import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QatExports;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.Quantizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link OnnxModelHeader#quantized()}: read from the nodes' op types while they stream past. */
class OnnxHeaderReaderQuantizedTest {

    @TempDir
    Path dir;

    private static OnnxModelHeader read(Path model) throws IOException {
        try (InputStream in = Files.newInputStream(model)) {
            return OnnxHeaderReader.read(in);
        }
    }

    /** A model whose graph holds one node of the given domain and op type. */
    private static byte[] withNode(String domain, String opType) {
        byte[] node = concat(stringField(1, "x"), stringField(2, "y"), stringField(3, "n"), stringField(4, opType),
                domain.isEmpty() ? new byte[0] : stringField(7, domain));
        return concat(varintField(1, 8), bytesField(7, concat(bytesField(1, node), stringField(2, "g"))),
                opsetImport("", 21), opsetImport("com.microsoft", 1));
    }

    @Test
    void floatFixturesAreNotQuantized() {
        for (String fixture : new String[] {"digits_mlp.onnx", "digits_cnn.onnx", "bytelm_small.onnx"}) {
            assertThat(OnnxHeaderReaderTest.fixture(fixture)).satisfies(bytes -> assertThat(
                    OnnxHeaderReaderTest.read(bytes).quantized()).as(fixture).isFalse());
        }
    }

    @Test
    void aQatExportAndTheEnginesOwnOutputsAreQuantized() throws Exception {
        Path qat = QatExports.digitsMlpQat(dir);
        Path dynamic = dir.resolve("dynamic.onnx");
        Quantizer.quantize(dir.resolve("digits_mlp.onnx"), dynamic, QuantizationOptions.defaults(Method.INT8_DYNAMIC),
                null);
        Path nbits = dir.resolve("int4.onnx");
        Quantizer.quantize(dir.resolve("digits_mlp.onnx"), nbits, QuantizationOptions.defaults(Method.INT4_WEIGHT),
                null);

        assertThat(read(qat).quantized()).isTrue();
        assertThat(read(dynamic).quantized()).isTrue();
        assertThat(read(nbits).quantized()).isTrue();
        assertThat(read(dir.resolve("digits_mlp.onnx")).quantized()).isFalse();
    }

    @Test
    void quantizedOpsAreRecognisedByDomainAndOpType() throws IOException {
        assertThat(OnnxHeaderReaderTest.read(withNode("", "DequantizeLinear")).quantized()).isTrue();
        assertThat(OnnxHeaderReaderTest.read(withNode("ai.onnx", "QLinearConv")).quantized()).isTrue();
        assertThat(OnnxHeaderReaderTest.read(withNode("com.microsoft", "MatMulNBits")).quantized()).isTrue();
        assertThat(OnnxHeaderReaderTest.read(withNode("", "MatMul")).quantized()).isFalse();
        // A custom domain's op of the same name is not ONNX's quantizer.
        assertThat(OnnxHeaderReaderTest.read(withNode("com.example", "QuantizeLinear")).quantized()).isFalse();
    }
}
