package io.qreg.engine.quant.qdq;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.model.OrtRunner;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.eval.Fixtures;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Fixture copying, quantizing with the pass, and the evaluation the tests judge models by. */
final class QdqFixtures {

    private QdqFixtures() {
    }

    static Path copy(String name, Path directory) throws IOException {
        return Fixtures.copy(name, directory);
    }

    static NpyArray npy(String name) throws IOException {
        return Fixtures.npy(name);
    }

    static QuantizationOptions options(CalibrationMethod method, boolean perChannel, boolean guard,
            Map<String, Path> calibration) {
        QuantizationOptions d = QuantizationOptions.defaults(Method.INT8_STATIC);
        return new QuantizationOptions(d.method(), perChannel, d.symmetric(), d.blockSize(), method, d.percentile(),
                d.excludeNodes(), d.excludeOpTypes(), calibration, null, null, guard);
    }

    /** Loads {@code model}, applies the pass, saves to {@code out}; returns the context for its report. */
    static QuantizationContext quantize(Path model, QuantizationOptions options, Path out)
            throws IOException, QuantizationException {
        OnnxModel loaded = OnnxModel.load(model);
        QuantizationContext context = new QuantizationContext(loaded, options, null);
        new StaticQdqPass().apply(context);
        loaded.save(out);
        return context;
    }

    static long count(Path model, String opType) throws IOException {
        return OnnxModel.load(model).graph().nodes().stream().map(NodeProto::getOpType).filter(opType::equals).count();
    }

    /** Argmax accuracy of output 0 over all rows of {@code x}. */
    static double accuracy(Path model, String input, NpyArray x, NpyArray labels) throws OrtException {
        float[] logits = run(model, input, x);
        long[] y = labels.toLongArray();
        int classes = logits.length / y.length;
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[i * classes + c] > logits[i * classes + best]) {
                    best = c;
                }
            }
            correct += best == y[i] ? 1 : 0;
        }
        return (double) correct / y.length;
    }

    /** exp(mean cross-entropy) of the next-byte logits [N,T,256] against labels [N,T], in batches. */
    static double perplexity(Path model, NpyArray ids, NpyArray labels) throws OrtException {
        long[] shape = ids.shape();
        int n = (int) shape[0];
        int t = (int) shape[1];
        long[] allIds = ids.toLongArray();
        long[] y = labels.toLongArray();
        double nll = 0;
        int batch = 25;
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), so)) {
                for (int start = 0; start < n; start += batch) {
                    int rows = Math.min(batch, n - start);
                    long[] chunk = Arrays.copyOfRange(allIds, start * t, (start + rows) * t);
                    try (OnnxTensor in = OnnxTensor.createTensor(env, LongBuffer.wrap(chunk), new long[] {rows, t});
                            OrtSession.Result r = session.run(Map.of("input_ids", in))) {
                        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        int vocab = out.remaining() / (rows * t);
                        for (int p = 0; p < rows * t; p++) {
                            double max = Double.NEGATIVE_INFINITY;
                            for (int v = 0; v < vocab; v++) {
                                max = Math.max(max, out.get(p * vocab + v));
                            }
                            double sum = 0;
                            for (int v = 0; v < vocab; v++) {
                                sum += Math.exp(out.get(p * vocab + v) - max);
                            }
                            double logProb = out.get(p * vocab + (int) y[start * t + p]) - max - Math.log(sum);
                            nll -= logProb;
                        }
                    }
                }
            }
        }
        return Math.exp(nll / ((double) n * t));
    }

    private static float[] run(Path model, String input, NpyArray x) throws OrtException {
        return OrtRunner.run(model, input, x);
    }
}
