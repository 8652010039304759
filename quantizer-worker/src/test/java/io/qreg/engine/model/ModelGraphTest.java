package io.qreg.engine.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelGraphTest {

    /** x -> Relu(relu) -> a -> Add(add, with initializer w) -> b -> Neg(neg) -> y. */
    private static GraphProto chain() {
        return GraphProto.newBuilder().setName("g")
                .addInput(info("x", 1)).addOutput(info("y", 1)).addValueInfo(info("a", 1))
                .addInitializer(Tensors.floats("w", new long[] {1}, new float[] {2f}))
                .addNode(Nodes.node("Relu", List.of("x"), List.of("a"), "relu"))
                .addNode(Nodes.node("Add", List.of("a", "w"), List.of("b"), "add"))
                .addNode(Nodes.node("Neg", List.of("b"), List.of("y"), "neg"))
                .build();
    }

    private static ModelGraph graph() {
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(chain()).build()).graph();
    }

    @Test
    void indexesProducersConsumersInitializersAndDeclaredTypes() {
        ModelGraph g = graph();

        assertThat(g.producer("b").map(NodeProto::getName)).hasValue("add");
        assertThat(g.producer("x")).isEmpty();
        assertThat(g.consumers("a")).extracting(NodeProto::getName).containsExactly("add");
        assertThat(g.consumers("y")).isEmpty();
        assertThat(g.isInitializer("w")).isTrue();
        assertThat(g.initializer("w").map(Tensors::toFloats).orElseThrow()).containsExactly(2f);
        assertThat(g.inputNames()).containsExactly("x");
        assertThat(g.outputNames()).containsExactly("y");
        assertThat(g.isGraphOutput("y")).isTrue();
        assertThat(g.valueInfo("a")).isPresent();
        assertThat(g.valueInfo("b")).isEmpty();
        assertThat(g.elementType("w")).hasValue(TensorProto.DataType.FLOAT.getNumber());
        assertThat(g.elementType("x")).hasValue(1);
        assertThat(g.elementType("b")).isEmpty();
        assertThat(g.node("neg")).isPresent();
    }

    @Test
    void uniqueNamesAvoidEveryTensorNodeAndEarlierAnswer() {
        ModelGraph g = graph();

        assertThat(g.uniqueName("fresh")).isEqualTo("fresh");
        assertThat(g.uniqueName("fresh")).isEqualTo("fresh_1");
        assertThat(g.uniqueName("w")).isEqualTo("w_1");
        assertThat(g.uniqueName("relu")).isEqualTo("relu_1");
        assertThat(g.uniqueName("y")).isEqualTo("y_1");
    }

    @Test
    void uniqueNamesAlsoAvoidNamesInsideSubgraphs() {
        GraphProto body = GraphProto.newBuilder().setName("then").addOutput(info("inner", 1))
                .addNode(Nodes.node("Identity", List.of("a"), List.of("inner"), "inner_node")).build();
        GraphProto withIf = chain().toBuilder().addNode(Nodes.node("If", List.of("cond"), List.of("z"), "if",
                AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body).build())).build();
        ModelGraph g = new ModelGraph(withIf);

        assertThat(g.uniqueName("inner")).isEqualTo("inner_1");
        assertThat(g.uniqueName("inner_node")).isEqualTo("inner_node_1");
    }

    @Test
    void addNodeGoesRightAfterTheProducersOfItsInputs() {
        ModelGraph g = graph();

        g.addNode(Nodes.node("Sigmoid", List.of("a"), List.of("s"), "sig"));
        g.addNode(Nodes.node("Constant", List.of(), List.of("c"), "const"));

        assertThat(names(g.nodes())).containsExactly("const", "relu", "sig", "add", "neg");
        assertThat(g.consumers("a")).extracting(NodeProto::getName).containsExactlyInAnyOrder("add", "sig");
    }

    @Test
    void insertingADequantizeInFrontOfAWeightRewiresOnlyItsConsumer() {
        ModelGraph g = graph();
        String quantized = g.uniqueName("w_quantized");
        String dequantized = g.uniqueName("w_dequantized");
        g.addInitializer(Tensors.int8(quantized, new long[] {1}, new byte[] {1}));
        g.replaceInput("w", dequantized);
        NodeProto add = g.producer("b").orElseThrow();
        g.insertBefore(add, Nodes.node("DequantizeLinear", List.of(quantized, "scale"), List.of(dequantized), "dq"));
        g.removeInitializer("w");

        assertThat(names(g.nodes())).containsExactly("relu", "dq", "add", "neg");
        assertThat(g.producer(dequantized).map(NodeProto::getName)).hasValue("dq");
        assertThat(g.consumers(dequantized)).extracting(NodeProto::getName).containsExactly("add");
        assertThat(g.consumers("w")).isEmpty();
        assertThat(g.isInitializer("w")).isFalse();
    }

    @Test
    void replaceInputRenamesWhatNodesReadButNotGraphOutputs() {
        ModelGraph g = graph();
        g.addNode(Nodes.node("Identity", List.of("y"), List.of("y_copy"), "copy"));

        int changed = g.replaceInput("y", "other");

        assertThat(changed).isEqualTo(1);
        assertThat(g.node("copy").orElseThrow().getInputList()).containsExactly("other");
        assertThat(g.outputNames()).containsExactly("y");
        assertThat(g.consumers("y")).isEmpty();
        assertThat(g.consumers("other")).hasSize(1);
    }

    @Test
    void replaceInputOnOneNodeReturnsItsReplacementAndLeavesOthers() {
        ModelGraph g = graph();
        g.addNode(Nodes.node("Mul", List.of("a", "a"), List.of("sq"), "square"));
        NodeProto add = g.node("add").orElseThrow();

        NodeProto updated = g.replaceInput(add, "a", "x");

        assertThat(updated.getInputList()).containsExactly("x", "w");
        assertThat(g.consumers("a")).extracting(NodeProto::getName).containsExactly("square");
        assertThatThrownBy(() -> g.removeNode(add)).hasMessageContaining("not in graph");
        assertThatThrownBy(() -> g.replaceInput(updated, "nope", "x")).hasMessageContaining("does not read 'nope'");
    }

    @Test
    void topologicalSortMovesNodesAfterTheirProducersAndKeepsTheRestInOrder() {
        ModelGraph g = graph();
        NodeProto relu = g.node("relu").orElseThrow();
        g.insertBefore(relu, Nodes.node("Abs", List.of("b"), List.of("abs_b"), "abs"));
        g.insertBefore(relu, Nodes.node("Exp", List.of("x"), List.of("exp_x"), "exp"));

        g.topologicalSort();

        assertThat(names(g.nodes())).containsExactly("exp", "relu", "add", "abs", "neg");
    }

    @Test
    void topologicalSortHonoursTensorsThatSubgraphsReadFromOutside() {
        GraphProto body = GraphProto.newBuilder().setName("then").addOutput(info("inner", 1))
                .addNode(Nodes.node("Identity", List.of("b"), List.of("inner"), "uses_b")).build();
        ModelGraph g = graph();
        g.insertBefore(g.node("relu").orElseThrow(), Nodes.node("If", List.of("x"), List.of("z"), "if",
                AttributeProto.newBuilder().setName("then_branch").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body).build()));

        g.topologicalSort();

        assertThat(names(g.nodes())).containsExactly("relu", "add", "if", "neg");
    }

    @Test
    void aCycleIsReportedWithTheNodesOnIt() {
        ModelGraph g = graph();
        g.replaceInput(g.node("relu").orElseThrow(), "x", "b");

        assertThatThrownBy(g::topologicalSort).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cycle").hasMessageContaining("relu").hasMessageContaining("add");
    }

    @Test
    void iteratingOverNodesToleratesEditsDuringTheLoop() {
        ModelGraph g = graph();

        for (NodeProto node : g.nodes()) {
            g.removeNode(node);
            g.addNode(Nodes.node("Identity", List.of("x"), List.of(g.uniqueName("copy")), g.uniqueName("id")));
        }

        assertThat(g.nodes()).hasSize(3).allMatch(n -> n.getOpType().equals("Identity"));
        assertThat(g.producer("b")).isEmpty();
    }

    @Test
    void replaceNodeKeepsThePositionAndUpdatesTheIndexes() {
        ModelGraph g = graph();
        NodeProto add = g.node("add").orElseThrow();

        g.replaceNode(add, Nodes.node("Sub", List.of("a", "x"), List.of("b"), "sub"));

        assertThat(names(g.nodes())).containsExactly("relu", "sub", "neg");
        assertThat(g.producer("b").map(NodeProto::getOpType)).hasValue("Sub");
        assertThat(g.consumers("w")).isEmpty();
        assertThat(g.consumers("x")).extracting(NodeProto::getName).containsExactlyInAnyOrder("relu", "sub");
    }

    @Test
    void newTensorsMayNotReuseAnExistingName() {
        ModelGraph g = graph();

        assertThatThrownBy(() -> g.addNode(Nodes.node("Relu", List.of("x"), List.of("a"), "again")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
        assertThatThrownBy(() -> g.addInitializer(Tensors.floats("x", new long[] {1}, new float[1])))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> g.replaceInitializer(Tensors.floats("nope", new long[] {1}, new float[1])))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void removingAnInitializerAlsoDropsItsLegacyGraphInput() {
        GraphProto legacy = chain().toBuilder().addInput(info("w", 1)).build();
        ModelGraph g = new ModelGraph(legacy);
        assertThat(g.inputNames()).containsExactly("x");

        g.replaceInitializer(Tensors.floats("w", new long[] {1}, new float[] {3f}));
        assertThat(g.initializer("w").map(Tensors::toFloats).orElseThrow()).containsExactly(3f);
        assertThat(g.removeInitializer("w")).isTrue();
        assertThat(g.removeInitializer("w")).isFalse();

        assertThat(g.toProto().getInputList()).extracting(ValueInfoProto::getName).containsExactly("x");
    }

    @Test
    void toProtoKeepsTheGraphsOtherFields() {
        ModelGraph g = graph();
        g.putValueInfo(info("b", 1));

        GraphProto out = g.toProto();

        assertThat(out.getName()).isEqualTo("g");
        assertThat(out.getInputList()).extracting(ValueInfoProto::getName).containsExactly("x");
        assertThat(out.getOutputList()).extracting(ValueInfoProto::getName).containsExactly("y");
        assertThat(out.getValueInfoList()).extracting(ValueInfoProto::getName).containsExactly("a", "b");
        assertThat(out.getInitializerList()).extracting(TensorProto::getName).containsExactly("w");
        assertThat(names(out.getNodeList())).containsExactly("relu", "add", "neg");
        assertThat(g.elementType("b")).hasValue(1);
    }

    private static List<String> names(List<NodeProto> nodes) {
        return nodes.stream().map(NodeProto::getName).toList();
    }

    private static ValueInfoProto info(String name, int elemType) {
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(elemType)
                        .setShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N")))))
                .build();
    }
}
