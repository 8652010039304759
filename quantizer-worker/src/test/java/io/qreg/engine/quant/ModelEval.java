package io.qreg.engine.quant;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.model.OrtRunner;
import io.qreg.engine.eval.Fixtures;
import io.qreg.npy.NpyArray;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Test fixtures and the accuracy measures the acceptance numbers use, run in ONNX Runtime on one thread. */
public final class ModelEval {

    private ModelEval() {
    }

    static Path copy(String name, Path directory) throws IOException {
        return Fixtures.copy(name, directory);
    }

    static NpyArray npy(String name) throws IOException {
        return Fixtures.npy(name);
    }

    /** Accuracy of a digits model (input named "input") on the flat digits eval split, digits_eval_x/y.npy. */
    static double digitsEvalAccuracy(Path model) throws IOException, OrtException {
        return accuracy(model, "input", npy("digits_eval_x.npy"), npy("digits_eval_y.npy"));
    }

    /** Perplexity of a byte language model on the whole bytelm_small eval split. */
    static double bytelmEvalPerplexity(Path model) throws IOException, OrtException {
        NpyArray ids = npy("bytelm_small_eval_ids.npy");
        return perplexity(model, ids, npy("bytelm_small_eval_labels.npy"), ids.samples());
    }

    /** Signal-to-quantization-noise ratio of {@code actual} against {@code reference}, in dB. */
    public static double sqnrDb(float[] reference, float[] actual) {
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < reference.length; i++) {
            signal += (double) reference[i] * reference[i];
            double d = reference[i] - actual[i];
            noise += d * d;
        }
        return 10 * Math.log10(signal / noise);
    }

    /** Fraction of samples whose argmax logit is the label. */
    static double accuracy(Path model, String inputName, NpyArray x, NpyArray y) throws OrtException {
        float[] logits = runAll(model, inputName, x);
        long[] labels = y.toLongArray();
        int classes = logits.length / labels.length;
        int correct = 0;
        for (int s = 0; s < labels.length; s++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[s * classes + c] > logits[s * classes + best]) {
                    best = c;
                }
            }
            correct += best == labels[s] ? 1 : 0;
        }
        return (double) correct / labels.length;
    }

    /** exp(mean cross-entropy) of the next-byte logits over the first {@code sequences} sequences; NaN if any logit is. */
    static double perplexity(Path model, NpyArray ids, NpyArray labels, int sequences) throws OrtException {
        long[] allIds = ids.toLongArray();
        long[] allLabels = labels.toLongArray();
        long[] shape = ids.shape();
        int t = (int) shape[1];
        double sum = 0;
        long count = 0;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = options(); OrtSession session = env.createSession(model.toString(), options)) {
            int batch = 20;
            for (int start = 0; start < sequences; start += batch) {
                int n = Math.min(batch, sequences - start);
                long[] chunk = Arrays.copyOfRange(allIds, start * t, (start + n) * t);
                try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(chunk), new long[] {n, t});
                        OrtSession.Result result = session.run(Map.of("input_ids", input))) {
                    FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                    int vocab = out.remaining() / (n * t);
                    float[] row = new float[vocab];
                    for (int p = 0; p < n * t; p++) {
                        out.get(row);
                        double max = Double.NEGATIVE_INFINITY;
                        for (float v : row) {
                            max = Math.max(max, v);
                        }
                        double z = 0;
                        for (float v : row) {
                            z += Math.exp(v - max);
                        }
                        int label = (int) allLabels[start * t + p];
                        sum += Math.log(z) + max - row[label];
                        count++;
                    }
                }
            }
        }
        return Math.exp(sum / count);
    }

    static float[] runAll(Path model, String inputName, NpyArray x) throws OrtException {
        return OrtRunner.run(model, inputName, x);
    }

    private static OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        return options;
    }
}
