package io.qreg.engine.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator's graph is the exporter's: checked against the real {@code bytelm_small.onnx} at its dimensions. */
class TransformerGeneratorTest {

    @TempDir
    Path dir;

    @Test
    void atBytelmSmallsDimensionsTheGraphHasTheExportersOpsInitializerShapesAndMask() throws IOException {
        Path fixture = dir.resolve("bytelm_small.onnx");
        try (InputStream in = getClass().getResourceAsStream("/fixtures/bytelm_small.onnx")) {
            Files.copy(in, fixture);
        }
        GraphProto exported = OnnxModel.load(fixture).toProto().getGraph();
        GraphProto generated = TransformerGenerator.build(TransformerGenerator.Config.byteLmSmall()).getGraph();

        assertThat(opCounts(generated)).isEqualTo(opCounts(exported));
        assertThat(generated.getNodeList().stream().map(NodeProto::getName).filter(n -> n.startsWith("/"))
                .collect(Collectors.toSet()))
                .isEqualTo(exported.getNodeList().stream().map(NodeProto::getName).filter(n -> n.startsWith("/"))
                        .collect(Collectors.toSet()));
        assertThat(shapeCounts(generated)).isEqualTo(shapeCounts(exported));
        assertThat(generated.getInitializerCount()).isEqualTo(exported.getInitializerCount());
        assertThat(Tensors.toFloats(initializer(generated, "causal")))
                .containsExactly(Tensors.toFloats(initializer(exported, "causal")));
        long exportedParameters = exported.getInitializerList().stream().filter(t -> !t.getName().equals("causal"))
                .mapToLong(Tensors::elementCount).sum();
        assertThat(TransformerGenerator.Config.byteLmSmall().parameterCount()).isEqualTo(exportedParameters)
                .isEqualTo(478_976L);
        assertThat(generated.getInput(0)).isEqualTo(exported.getInput(0));
        assertThat(generated.getOutput(0)).isEqualTo(exported.getOutput(0));
    }

    @Test
    void writtenModelRunsInOnnxRuntimeWithDynamicBatchAndSequence() throws Exception {
        TransformerGenerator.Config small = new TransformerGenerator.Config(2, 64, 4, 256, 256, 128, 1L, 0.02f);
        Path model = dir.resolve("small.onnx");
        TransformerGenerator.write(small, model);
        ModelProto saved = OnnxModel.load(model).toProto();
        assertThat(saved.getOpsetImport(0).getVersion()).isEqualTo(17);

        assertThat(TransformerGenerator.forwardOnce(model, 1, 16, 256)).containsExactly(1, 16, 256);
        assertThat(TransformerGenerator.forwardOnce(model, 3, 128, 256)).containsExactly(3, 128, 256);
    }

    @Test
    void theBenchmarkModelHasAbout85MillionParameters() {
        TransformerGenerator.Config base = TransformerGenerator.Config.base85m();
        // 256·768 + 128·768 (embeddings) + 12 × 7,087,872 (blocks) + 2·768 (final LN) + 768·256 + 256 (head)
        assertThat(base.parameterCount()).isEqualTo(85_547_776L);
    }

    private static Map<String, Long> opCounts(GraphProto g) {
        return g.getNodeList().stream().collect(Collectors.groupingBy(NodeProto::getOpType, TreeMap::new,
                Collectors.counting()));
    }

    private static Map<String, Long> shapeCounts(GraphProto g) {
        return g.getInitializerList().stream().map(t -> Arrays.toString(Tensors.dims(t)))
                .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
    }

    private static TensorProto initializer(GraphProto g, String name) {
        return g.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst().orElseThrow();
    }
}
