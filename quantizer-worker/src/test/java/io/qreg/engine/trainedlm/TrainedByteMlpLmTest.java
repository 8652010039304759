package io.qreg.engine.trainedlm;

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
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import io.qreg.onnx.ir.TensorProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated second language model: trained for real, larger than bytelm_small, and the same in ONNX Runtime. */
class TrainedByteMlpLmTest {

    private static final ByteMlpLmConfig STANDARD = ByteMlpLmConfig.standard();

    @Test
    void trainingBringsEvalPerplexityFarBelowUniformInOnnxRuntime() throws Exception {
        Path model = TrainedByteMlpLm.standard();
        TrainedByteMlpLm.Training training = TrainedByteMlpLm.lastTraining();
        if (training != null) {
            System.out.printf("trained %s: %,d parameters in %.1f s (%.1f CPU s), training loss by tenth %s%n",
                    STANDARD.cacheKey(), training.parameters(), training.seconds(), training.cpuSeconds(),
                    training.lossByTenth());
            assertThat(training.lossByTenth().get(training.lossByTenth().size() - 1))
                    .isLessThan(training.lossByTenth().get(0) - 1.0);
        }
        EvaluationData data = EvaluationData.open(Map.of("input_ids", Fixtures.path(TrainedByteMlpLm.EVAL_IDS)),
                Fixtures.path(TrainedByteMlpLm.EVAL_LABELS), null);
        double perplexity = Evaluator.evaluate(EvaluationTask.LANGUAGE_MODEL, model, null, data,
                new EvaluationOptions(50, 0), ProgressListener.NONE).metric(MetricKeys.PERPLEXITY);
        double unigram = unigramPerplexity(TrainedByteMlpLm.trainingData(), TrainedByteMlpLm.evalData());
        System.out.printf("byte MLP LM FP32 perplexity on the bytelm_small eval split: %.4f (byte frequencies alone:"
                + " %.4f, uniform: 256)%n", perplexity, unigram);
        assertThat(perplexity).isLessThan(unigram / 1.5).isLessThan(256.0 / 10);
    }

    @Test
    void theModelIsSeveralTimesBytelmSmallAndItsMatMulsReadLayerNorms() throws Exception {
        ModelGraph graph = OnnxModel.load(TrainedByteMlpLm.standard()).graph();
        long parameters = parameters(graph);
        long smallParameters = parameters(OnnxModel.load(Fixtures.path("bytelm_small.onnx")).graph());
        System.out.printf("byte MLP LM: %,d parameters (bytelm_small %,d)%n", parameters, smallParameters);
        assertThat(parameters).isEqualTo(STANDARD.parameterCount()).isGreaterThan(3 * smallParameters);
        assertThat(graph.nodes()).filteredOn(n -> n.getOpType().equals("MatMul")).hasSize(2 + 2 * STANDARD.blocks());
        // The int4 algorithms fold into a LayerNorm feeding a MatMul (SmoothQuant and AWQ), or else insert a Mul.
        long fedByLayerNorm = graph.nodes().stream().filter(n -> n.getOpType().equals("MatMul"))
                .filter(n -> graph.producer(n.getInput(0)).map(NodeProto::getOpType)
                        .filter("LayerNormalization"::equals).isPresent()).count();
        assertThat(fedByLayerNorm).isEqualTo(2 + STANDARD.blocks());
    }

    @Test
    void onnxRuntimeComputesTheSameLogitsAsTheJavaForwardPass() throws Exception {
        Path model = TrainedByteMlpLm.standard();
        ByteMlpLmWeights weights = ByteMlpLmWeights.load(STANDARD, OnnxModel.load(model));
        ByteSequences eval = TrainedByteMlpLm.evalData();
        int sequences = 3;
        int length = eval.length();
        float[] ort = onnxRuntimeLogits(model, Arrays.copyOf(eval.ids(), sequences * length), sequences, length);
        ByteMlpLmNetwork network = new ByteMlpLmNetwork(weights, length);
        int[] contexts = new int[length * STANDARD.context()];
        double maxError = 0;
        double maxLogit = 0;
        for (int s = 0; s < sequences; s++) {
            for (int t = 0; t < length; t++) {
                eval.context(s, t, STANDARD.context(), contexts, t * STANDARD.context());
            }
            float[] java = network.forward(contexts, length);
            int offset = s * length * ByteMlpLmConfig.VOCAB;
            for (int i = 0; i < length * ByteMlpLmConfig.VOCAB; i++) {
                maxError = Math.max(maxError, Math.abs(java[i] - ort[offset + i]));
                maxLogit = Math.max(maxLogit, Math.abs(java[i]));
            }
        }
        System.out.printf("ONNX Runtime vs Java forward: max |Δlogit| %.2e (max |logit| %.2f)%n", maxError, maxLogit);
        assertThat(maxLogit).isGreaterThan(1.0);
        assertThat(maxError).isLessThan(1e-3);
    }

    @Test
    void theSameConfigurationTrainsToTheSameWeights() {
        ByteMlpLmConfig tiny = new ByteMlpLmConfig(4, 8, 32, 64, 2, 30, 8, 2e-3, 5L);
        ByteSequences data = trainingData();
        ByteMlpLmWeights first = ByteMlpLmTrainer.train(tiny, data).weights();
        ByteMlpLmWeights second = ByteMlpLmTrainer.train(tiny, data).weights();
        ByteMlpLmWeights untrained = new ByteMlpLmWeights(tiny);
        for (int i = 0; i < first.all().size(); i++) {
            assertThat(second.all().get(i).value).as(first.all().get(i).name).isEqualTo(first.all().get(i).value);
        }
        assertThat(first.headWeight.value).isNotEqualTo(untrained.headWeight.value);
        ByteMlpLmWeights otherSeed = ByteMlpLmTrainer.train(new ByteMlpLmConfig(4, 8, 32, 64, 2, 30, 8, 2e-3, 6L),
                data).weights();
        assertThat(otherSeed.headWeight.value).isNotEqualTo(first.headWeight.value);
    }

    private static ByteSequences trainingData() {
        try {
            return TrainedByteMlpLm.trainingData();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Perplexity on {@code eval} of the training text's byte frequencies (add-one smoothed): no context at all. */
    private static double unigramPerplexity(ByteSequences train, ByteSequences eval) {
        double[] counts = new double[ByteMlpLmConfig.VOCAB];
        Arrays.fill(counts, 1);
        for (long id : train.ids()) {
            counts[(int) id]++;
        }
        double total = Arrays.stream(counts).sum();
        double sum = 0;
        for (int s = 0; s < eval.sequences(); s++) {
            for (int t = 0; t < eval.length(); t++) {
                sum -= Math.log(counts[eval.label(s, t)] / total);
            }
        }
        return Math.exp(sum / ((double) eval.sequences() * eval.length()));
    }

    private static long parameters(ModelGraph graph) {
        return graph.initializers().stream().filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE)
                .mapToLong(Tensors::elementCount).sum();
    }

    private static float[] onnxRuntimeLogits(Path model, long[] ids, int batch, int length) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options);
                    OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, length});
                    OrtSession.Result result = session.run(Map.of("input_ids", input))) {
                FloatBuffer buffer = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] logits = new float[buffer.remaining()];
                buffer.get(logits);
                return logits;
            }
        }
    }
}
