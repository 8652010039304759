package io.qreg.engine.quant.qdq.smooth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.sensitivity.SensitivityRequest;
import io.qreg.engine.tensor.Tensors;
import io.qreg.npy.NpyDType;
import io.qreg.npy.NpyWriter;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SmoothQuant on a generated model with outlier activation channels, run in ONNX Runtime. */
class SmoothQuantTest {

    @TempDir
    Path dir;

    private Path model;
    private Path calibration;
    private Path heldOut;

    @BeforeEach
    void generate() throws Exception {
        model = OutlierModel.write(dir.resolve("outliers.onnx"));
        calibration = OutlierModel.inputs(dir.resolve("calibration.npy"), 64, 1);
        heldOut = OutlierModel.inputs(dir.resolve("held_out.npy"), 64, 2);
    }

    private QuantizationOptions options(Double alpha) {
        return QuantizationOptions.defaults(Method.INT8_STATIC).withCalibrationInputs(Map.of("x", calibration))
                .withSmoothQuantAlpha(alpha);
    }

    private double staticError(Double alpha, String name) throws Exception {
        Path out = dir.resolve(name);
        QuantizationReport report = Quantizer.quantize(model, out, options(alpha), ProgressListener.NONE,
                SensitivityRequest.NONE);
        if (alpha != null && alpha.isNaN()) {
            // The LayerNorm with the outlier channels is smoothed; each group's choice is reported.
            assertThat(report.notes()).anyMatch(n -> n.startsWith("SmoothQuant auto: n (read by q_proj, k_proj) alpha"));
            assertThat(report.notes()).filteredOn(n -> n.startsWith("SmoothQuant auto: ")).hasSize(3);
            assertThat(report.options().smoothQuantAuto()).isTrue();
        }
        return OutlierModel.relativeError(OutlierModel.run(model, heldOut), OutlierModel.run(out, heldOut));
    }

    @Test
    void smoothingAtAlphaHalfAndAutoAtLeastHalvesTheStaticOutputErrorOnHeldOutSamples() throws Exception {
        double plain = staticError(null, "plain.onnx");
        double half = staticError(0.5, "smooth-0.5.onnx");
        double auto = staticError(QuantizationOptions.SMOOTH_QUANT_AUTO, "smooth-auto.onnx");
        System.out.printf("outlier model int8-static relative output error: plain %.5f, SmoothQuant 0.5 %.5f,"
                + " auto %.5f%n", plain, half, auto);

        assertThat(half).isLessThanOrEqualTo(plain / 2);
        assertThat(auto).isLessThanOrEqualTo(plain / 2);
    }

    @Test
    void theSmoothedFloatModelComputesTheOriginalOutputsThroughTheLayerNormFoldAndTheExplicitMul() throws Exception {
        OnnxModel loaded = OnnxModel.load(model);
        CalibrationData data = CalibrationData.load(loaded.graph(), Map.of("x", calibration));
        float[] scaleBefore = Tensors.toFloats(loaded.graph().initializer("ln_scale").orElseThrow());

        SmoothQuant.Outcome outcome = SmoothQuant.apply(loaded, data, options(0.5), 0.5, StaticRounding.NOT_SIMULATED, 16,
                ProgressListener.NONE);
        Path smoothed = dir.resolve("smoothed.onnx");
        loaded.save(smoothed);

        // q and k share the LayerNorm output: folded, no Mul. out_proj reads a Relu and proj_in the graph input x:
        // one explicit Mul each.
        assertThat(outcome.notes()).singleElement().asString()
                .contains("4 MatMul/Gemm layers reading 3 activations: 1 divided in their LayerNormalization,"
                        + " 0 in the MatMul/Gemm producing them, 2 through an inserted Mul");
        assertThat(outcome.insertedMuls()).hasSize(2);
        assertThat(outcome.insertedMuls()).map(name -> loaded.graph().node(name).orElseThrow().getInput(0))
                .containsExactlyInAnyOrder("x", "r");
        assertThat(loaded.graph().consumers("n")).extracting(NodeProto::getName).containsExactlyInAnyOrder("q_proj",
                "k_proj");
        float[] scaleAfter = Tensors.toFloats(loaded.graph().initializer("ln_scale").orElseThrow());
        assertThat(spread(scaleAfter)).as("outlier channels of the normalized activation are flattened")
                .isLessThan(spread(scaleBefore) / 4);

        float[] reference = OutlierModel.run(model, heldOut);
        float[] output = OutlierModel.run(smoothed, heldOut);
        double magnitude = OutlierModel.maxAbsDifference(reference, new float[reference.length]);
        assertThat(OutlierModel.maxAbsDifference(reference, output)).isLessThanOrEqualTo(1e-4 * magnitude);
    }

    @Test
    void aGemmAndAMatMulWithBiasTakeOneOverSInTheirOutputChannelsAndTheChainComputesTheOriginalOutputs()
            throws Exception {
        // x → Gemm(transB) → h → MatMul → + b2 → g → MatMul → y: x is a graph input (explicit Mul), h comes from
        // the Gemm (its rows and bias take 1/s), g from the MatMul + bias Add (its columns and bias take 1/s).
        Random random = new Random(3);
        GraphProto graph = GraphProto.newBuilder().setName("chain")
                .addInput(matrix("x", 6)).addOutput(matrix("y", 3))
                .addInitializer(Tensors.floats("w", new long[] {5, 6}, gaussian(random, 30)))
                .addInitializer(Tensors.floats("c", new long[] {5}, gaussian(random, 5)))
                .addInitializer(Tensors.floats("w2", new long[] {5, 4}, gaussian(random, 20)))
                .addInitializer(Tensors.floats("b2", new long[] {4}, gaussian(random, 4)))
                .addInitializer(Tensors.floats("w3", new long[] {4, 3}, gaussian(random, 12)))
                .addNode(Nodes.node("Gemm", List.of("x", "w", "c"), List.of("h"), "gemm", Nodes.intAttr("transB", 1)))
                .addNode(Nodes.node("MatMul", List.of("h", "w2"), List.of("h2"), "mm2"))
                .addNode(Nodes.node("Add", List.of("h2", "b2"), List.of("g"), "bias2"))
                .addNode(Nodes.node("MatMul", List.of("g", "w3"), List.of("y"), "mm3"))
                .build();
        Path chain = dir.resolve("chain.onnx");
        OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).build()).save(chain);
        float[] x = gaussian(random, 32 * 6);
        for (int i = 2; i < x.length; i += 6) {
            x[i] *= 80; // channel 2 is an outlier
        }
        Path inputs = dir.resolve("chain_x.npy");
        try (var out = Files.newOutputStream(inputs)) {
            NpyWriter.write(out, NpyDType.FLOAT32, new long[] {32, 6}, x);
        }
        OnnxModel loaded = OnnxModel.load(chain);

        SmoothQuant.Outcome outcome = SmoothQuant.apply(loaded, CalibrationData.load(loaded.graph(),
                Map.of("x", inputs)), options(0.5), 0.5, StaticRounding.NOT_SIMULATED, 16, ProgressListener.NONE);
        Path smoothed = dir.resolve("chain-smoothed.onnx");
        loaded.save(smoothed);

        assertThat(outcome.notes()).singleElement().asString().contains("3 MatMul/Gemm layers reading 3 activations:"
                + " 0 divided in their LayerNormalization, 2 in the MatMul/Gemm producing them, 1 through an inserted Mul");
        NodeProto mul = loaded.graph().node(outcome.insertedMuls().iterator().next()).orElseThrow();
        assertThat(mul.getInput(0)).isEqualTo("x");
        float[] factors = Tensors.toFloats(loaded.graph().initializer(mul.getInput(1)).orElseThrow());
        for (int j = 0; j < factors.length; j++) {
            assertThat(factors[2]).as("the outlier channel is divided most").isLessThanOrEqualTo(factors[j]);
        }
        assertThat(loaded.graph().nodes()).filteredOn(n -> n.getOpType().equals("Mul")).hasSize(1);
        float[] reference = OutlierModel.run(chain, inputs);
        double magnitude = OutlierModel.maxAbsDifference(reference, new float[reference.length]);
        assertThat(OutlierModel.maxAbsDifference(reference, OutlierModel.run(smoothed, inputs)))
                .isLessThanOrEqualTo(1e-4 * magnitude);
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static ValueInfoProto matrix(String name, int width) {
        var shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    @Test
    void scalesBalanceTheActivationAndWeightMaximaAtAlphaHalfAndLeaveDeadChannelsAlone() {
        float[] activation = {100f, 1f, 0f, 4f};
        float[] weight = {0.25f, 1f, 2f, 0f};

        float[] s = SmoothQuant.scales(activation, weight, 0.5);

        assertThat(activation[0] / s[0]).isCloseTo(weight[0] * s[0], within(1e-4f));
        assertThat(activation[1] / s[1]).isCloseTo(weight[1] * s[1], within(1e-6f));
        assertThat(s[2]).isEqualTo(1f);
        assertThat(s[3]).isEqualTo(1f);
        assertThat(SmoothQuant.scales(activation, weight, 1.0)[0]).isEqualTo(100f);
        assertThat(SmoothQuant.scales(new float[] {1e-30f}, new float[] {1e30f}, 0.5)[0])
                .isEqualTo(SmoothQuant.MIN_SCALE);
    }

    /** max|v| / median|v|. */
    private static double spread(float[] values) {
        float[] abs = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            abs[i] = Math.abs(values[i]);
        }
        Arrays.sort(abs);
        return abs[abs.length - 1] / abs[abs.length / 2];
    }
}
