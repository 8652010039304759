package io.qreg.engine.quant.weightonly.awq;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import io.qreg.engine.quant.weightonly.OrtFloats;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.NodeProto;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AwqFoldTest {

    private static final int K = 64;
    private static final int ROWS = 32;

    @TempDir
    Path dir;

    private final Random random = new Random(21);

    @Test
    void layerNormalizationFeedingTwoLayersTakesTheirSharedScales() throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(vector("gamma", 1, 0.3)).addInitializer(vector("beta", 0, 0.2))
                .addInitializer(matrix("wq", K, 16)).addInitializer(matrix("wk", K, 16))
                .addNode(Nodes.node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("h"), "ln"))
                .addNode(Nodes.node("MatMul", List.of("h", "wq"), List.of("q"), "q"))
                .addNode(Nodes.node("MatMul", List.of("h", "wk"), List.of("k"), "k"))
                .addNode(Nodes.node("Add", List.of("q", "k"), List.of("y"), "sum"));

        AwqFold.Fold fold = foldAndCompare(g, List.of("q", "k"));

        assertThat(fold).isEqualTo(new AwqFold.Fold(AwqFold.Target.LAYER_NORMALIZATION, "ln"));
    }

    @Test
    void precedingMatMulAndItsBiasAddTakeTheScales() throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(matrix("w0", K, K)).addInitializer(vector("b0", 0, 0.5))
                .addInitializer(matrix("w1", K, 8))
                .addNode(Nodes.node("MatMul", List.of("x", "w0"), List.of("m"), "up"))
                .addNode(Nodes.node("Add", List.of("b0", "m"), List.of("h"), "up_bias"))
                .addNode(Nodes.node("MatMul", List.of("h", "w1"), List.of("y"), "down"));

        AwqFold.Fold fold = foldAndCompare(g, List.of("down"));

        assertThat(fold).isEqualTo(new AwqFold.Fold(AwqFold.Target.PRECEDING_LINEAR, "up"));
    }

    @Test
    void precedingGemmWithTransposedWeightAndBiasTakesTheScales() throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(matrix("w0", K, K)).addInitializer(vector("c0", 0, 0.5))
                .addInitializer(matrix("w1", 8, K)).addInitializer(vector8("c1"))
                .addNode(Nodes.node("Gemm", List.of("x", "w0", "c0"), List.of("h"), "fc0", Nodes.intAttr("transB", 1)))
                .addNode(Nodes.node("Gemm", List.of("h", "w1", "c1"), List.of("y"), "fc1",
                        Nodes.intAttr("transB", 1), Nodes.floatAttr("alpha", 0.5f)));

        AwqFold.Fold fold = foldAndCompare(g, List.of("fc1"));

        assertThat(fold).isEqualTo(new AwqFold.Fold(AwqFold.Target.PRECEDING_LINEAR, "fc0"));
    }

    @Test
    void activationAlsoFeedingAResidualGetsAnExplicitMul() throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(vector("gamma", 1, 0.3)).addInitializer(vector("beta", 0, 0.2))
                .addInitializer(matrix("w1", K, K))
                .addNode(Nodes.node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("h"), "ln"))
                .addNode(Nodes.node("MatMul", List.of("h", "w1"), List.of("a"), "proj"))
                .addNode(Nodes.node("Add", List.of("a", "h"), List.of("y"), "residual"));

        AwqFold.Fold fold = foldAndCompare(g, List.of("proj"));

        assertThat(fold.target()).isEqualTo(AwqFold.Target.MUL);
    }

    @Test
    void graphInputGetsAnExplicitMulAndTheWrittenWeightIsTheSearchedOne() throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K).addInitializer(matrix("w", K, 16))
                .addNode(Nodes.node("MatMul", List.of("x", "w"), List.of("y"), "only"));
        Path original = OrtFloats.save(g, dir.resolve("in.onnx"));
        float[] x = outlierInputs(ROWS);
        OnnxModel model = OnnxModel.load(original);
        ConstantLinear layer = ConstantLinear.match(model.graph(), model.graph().node("only").orElseThrow()).layer();
        AwqResult result = Awq.search(layer.weight(), K, 16, x, ROWS, 4, 32, true);

        AwqFold.Fold fold = AwqFold.apply(model.graph(), model.graph().node("only").orElseThrow(), result.scales());

        assertThat(fold.target()).isEqualTo(AwqFold.Target.MUL);
        ConstantLinear scaled = ConstantLinear.match(model.graph(), model.graph().node("only").orElseThrow()).layer();
        BlockQuantizedWeight rtnOfFolded = BlockQuantizedWeight.quantize(scaled.weight(), K, 16, 4, 32, true);
        assertThat(rtnOfFolded.packed()).isEqualTo(result.quantized().packed());
        assertThat(rtnOfFolded.scales()).isEqualTo(result.quantized().scales());
    }

    @Test
    void awqInOnnxRuntimeHalvesRoundToNearestsOutputErrorWithOutlierChannels() throws Exception {
        int n = 32;
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(vector("gamma", 1, 0.1)).addInitializer(vector("beta", 0, 0.1))
                .addInitializer(matrix("w", K, n))
                .addNode(Nodes.node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("h"), "ln"))
                .addNode(Nodes.node("MatMul", List.of("h", "w"), List.of("y"), "proj"));
        Path fp32 = OrtFloats.save(g, dir.resolve("fp32.onnx"));
        // Calibrate on one set of rows and measure on another: the channel outliers come from the LN input.
        float[] calibration = outlierInputs(256);
        float[] test = outlierInputs(ROWS);
        OnnxModel model = OnnxModel.load(fp32);
        ModelGraph graph = model.graph();
        float[] h = OrtFloats.run(subgraphUpToLn(dir.resolve("ln.onnx")), calibration, 256, K);
        ConstantLinear layer = ConstantLinear.match(graph, graph.node("proj").orElseThrow()).layer();
        AwqResult result = Awq.search(layer.weight(), K, n, h, 256, 4, 32, true);
        AwqFold.apply(graph, graph.node("proj").orElseThrow(), result.scales());
        AwqVariants variants = AwqVariants.write(model, fp32, dir);

        float[] reference = OrtFloats.run(fp32, test, ROWS, K);
        double awqError = squaredError(reference, OrtFloats.run(variants.awq(), test, ROWS, K));
        double rtnError = squaredError(reference, OrtFloats.run(variants.rtn(), test, ROWS, K));
        System.out.printf("AWQ in ORT (alpha %.2f): held-out output error %.5g vs RTN %.5g (ratio %.3f)%n",
                result.alpha(), awqError, rtnError, awqError / rtnError);
        assertThat(result.alpha()).isPositive();
        assertThat(awqError).isLessThanOrEqualTo(0.5 * rtnError);
    }

    /** Folds random AWQ-like scales for the named layers and checks ORT computes the same y before and after. */
    private AwqFold.Fold foldAndCompare(GraphProto.Builder g, List<String> layerNames) throws Exception {
        Path original = OrtFloats.save(g, dir.resolve("original.onnx"));
        OnnxModel model = OnnxModel.load(original);
        ModelGraph graph = model.graph();
        List<NodeProto> layers = layerNames.stream().map(name -> graph.node(name).orElseThrow()).toList();
        double[] meanAbs = new double[K];
        for (int j = 0; j < K; j++) {
            meanAbs[j] = Math.exp(random.nextGaussian() * 1.5);
        }
        float[] scales = Awq.scales(meanAbs, 0.6);

        AwqFold.Fold fold = AwqFold.apply(graph, layers, scales);

        Path folded = dir.resolve("folded.onnx");
        model.save(folded);
        float[] x = OrtFloats.gaussian(random, ROWS * K, 1);
        float[] before = OrtFloats.run(original, x, ROWS, K);
        float[] after = OrtFloats.run(folded, x, ROWS, K);
        double magnitude = 0;
        for (float v : before) {
            magnitude = Math.max(magnitude, Math.abs(v));
        }
        System.out.printf("%s: max |y - y_folded| %.3g of max |y| %.3g%n", fold, OrtFloats.maxAbsDiff(before, after),
                magnitude);
        assertThat(OrtFloats.maxAbsDiff(before, after)).isLessThan(1e-5 * magnitude + 1e-6);
        assertThat(Arrays.equals(Tensors.toFloats(graph.initializer(layers.get(0).getInput(1)).orElseThrow()),
                Tensors.toFloats(OnnxModel.load(original).graph().initializer(layers.get(0).getInput(1))
                        .orElseThrow()))).isFalse();
        return fold;
    }

    private Path subgraphUpToLn(Path file) throws Exception {
        GraphProto.Builder g = OrtFloats.graph(K)
                .addInitializer(vector("gamma", 1, 0.1)).addInitializer(vector("beta", 0, 0.1))
                .addNode(Nodes.node("LayerNormalization", List.of("x", "gamma", "beta"), List.of("y"), "ln"));
        return OrtFloats.save(g, file);
    }

    private float[] outlierInputs(int rows) {
        Random fixed = new Random(77);
        double[] spread = new double[K];
        for (int j = 0; j < K; j++) {
            spread[j] = 0.5 + fixed.nextDouble();
        }
        spread[5] *= 30;
        spread[17] *= 60;
        spread[40] *= 100;
        float[] x = new float[rows * K];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < K; j++) {
                x[r * K + j] = (float) (random.nextGaussian() * spread[j]);
            }
        }
        return x;
    }

    private io.qreg.onnx.ir.TensorProto vector(String name, double mean, double sigma) {
        float[] v = new float[K];
        for (int j = 0; j < K; j++) {
            v[j] = (float) (mean + random.nextGaussian() * sigma);
        }
        return Tensors.floats(name, new long[] {K}, v);
    }

    private io.qreg.onnx.ir.TensorProto vector8(String name) {
        return Tensors.floats(name, new long[] {8}, OrtFloats.gaussian(random, 8, 0.5));
    }

    private io.qreg.onnx.ir.TensorProto matrix(String name, int rows, int cols) {
        return Tensors.floats(name, new long[] {rows, cols}, OrtFloats.gaussian(random, rows * cols, 0.1));
    }

    private static double squaredError(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return sum;
    }
}
