package io.qreg.engine.quant.weightonly.awq;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.Fixtures;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.ConstantLinear;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AWQ on bytelm_small end to end: the layer inputs are captured here with a test-only capture (the engine's own
 * streaming capture belongs to the --algorithm plumbing), layers reading one activation are searched together with
 * their weights side by side, the scales are folded, and the folded model is written with round-to-nearest.
 */
class AwqPerplexityTest {

    private static final int CALIBRATION_SEQUENCES = 16;

    @TempDir
    Path dir;

    @Test
    void bytelmAwqBlock32SymmetricPerplexityIsAtMostRoundToNearests() throws Exception {
        Path fp32 = Fixtures.path("bytelm_small.onnx");
        OnnxModel model = OnnxModel.load(fp32);
        ModelGraph graph = model.graph();
        Map<String, List<NodeProto>> byInput = new LinkedHashMap<>();
        for (NodeProto node : graph.nodes()) {
            if ((node.getOpType().equals("MatMul") || node.getOpType().equals("Gemm"))
                    && ConstantLinear.match(graph, node).matched()) {
                byInput.computeIfAbsent(node.getInput(0), a -> new ArrayList<>()).add(node);
            }
        }
        Map<String, float[]> inputs = capture(model.toProto(), byInput.keySet());
        List<String> folds = new ArrayList<>();
        for (Map.Entry<String, List<NodeProto>> group : byInput.entrySet()) {
            List<ConstantLinear> layers = group.getValue().stream()
                    .map(node -> ConstantLinear.match(graph, graph.node(node.getName()).orElseThrow()).layer()).toList();
            int k = layers.get(0).k();
            float[] x = inputs.get(group.getKey());
            AwqResult result = Awq.search(sideBySide(layers), k, layers.stream().mapToInt(ConstantLinear::n).sum(), x,
                    x.length / k, 4, 32, true);
            AwqFold.Fold fold = AwqFold.apply(graph, layers.stream().map(ConstantLinear::node).toList(),
                    result.scales());
            folds.add(String.format("%s alpha %.2f error/RTN %.3f -> %s", group.getKey(), result.alpha(),
                    result.error() / result.rtnError(), fold.target()));
        }
        AwqVariants variants = AwqVariants.write(model, fp32, dir);

        double awqPerplexity = perplexity(variants.awq());
        double rtnPerplexity = perplexity(variants.rtn());
        folds.forEach(System.out::println);
        System.out.printf("bytelm_small int4 block 32 symmetric: AWQ perplexity %.4f, RTN %.4f%n", awqPerplexity,
                rtnPerplexity);
        assertThat(awqPerplexity).isLessThanOrEqualTo(rtnPerplexity);
    }

    /** The weights of layers sharing one input, as one [k, Σn] matrix, so they get one set of scales. */
    private static float[] sideBySide(List<ConstantLinear> layers) {
        int k = layers.get(0).k();
        int total = layers.stream().mapToInt(ConstantLinear::n).sum();
        float[] w = new float[k * total];
        int offset = 0;
        for (ConstantLinear layer : layers) {
            for (int j = 0; j < k; j++) {
                System.arraycopy(layer.weight(), j * layer.n(), w, j * total + offset, layer.n());
            }
            offset += layer.n();
        }
        return w;
    }

    /** Each activation's values over the calibration sequences, as rows of its last dimension. */
    private Map<String, float[]> capture(ModelProto proto, Iterable<String> activations) throws Exception {
        ModelProto.Builder exposed = proto.toBuilder();
        List<String> names = new ArrayList<>();
        for (String activation : activations) {
            names.add(activation);
            exposed.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName(activation).setType(
                    TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                            .setElemType(TensorProto.DataType.FLOAT_VALUE))));
        }
        Path file = dir.resolve("exposed.onnx");
        OnnxModel.of(exposed.build()).save(file);
        NpyArray ids = NpyArray.read(Fixtures.path("bytelm_small_calib_ids.npy"));
        int t = (int) ids.shape()[1];
        long[] chunk = Arrays.copyOf(ids.toLongArray(), CALIBRATION_SEQUENCES * t);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Map<String, float[]> values = new HashMap<>();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(file.toString(), options);
                    OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(chunk),
                            new long[] {CALIBRATION_SEQUENCES, t});
                    OrtSession.Result result = session.run(Map.of("input_ids", input))) {
                for (String name : names) {
                    FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                    float[] v = new float[buffer.remaining()];
                    buffer.get(v);
                    values.put(name, v);
                }
            }
        }
        return values;
    }

    private static double perplexity(Path model) throws Exception {
        EvaluationData data = Fixtures.bytelmEvalSplit();
        return Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, model, null, data, new EvaluationOptions(50, 1),
                ProgressListener.NONE).metric(MetricKeys.PERPLEXITY);
    }
}
