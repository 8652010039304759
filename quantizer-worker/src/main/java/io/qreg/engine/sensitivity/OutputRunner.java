package io.qreg.engine.sensitivity;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qreg.engine.eval.InputBatch;
import io.qreg.engine.eval.InputFeeds;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.TensorSpec;
import io.qreg.engine.QuantizationException;
import io.qreg.numeric.Float16;
import io.qreg.onnx.ir.ModelProto;
import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs in-memory models over a {@link SampleSet} in ONNX Runtime and compares their floating-point outputs
 * with a reference's. Sessions are optimized like a serving session ({@code ALL_OPT}), so the error measured
 * is the error of the kernels the quantized model will really run on (fused QDQ, MatMulNBits).
 */
final class OutputRunner {

    private final SampleSet samples;
    private final int batchSize;
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    OutputRunner(SampleSet samples, int batchSize) {
        this.samples = samples;
        this.batchSize = batchSize;
    }

    int samples() {
        return samples.count();
    }

    /**
     * The model's float outputs, one array per batch and output in run order. Kept whole so one FP32 run
     * serves every comparison: its size is samples × output elements, which the sample bound keeps modest.
     */
    List<float[]> outputs(ModelProto model) throws QuantizationException {
        List<float[]> chunks = new ArrayList<>();
        run(model, chunks::add);
        return List.copyOf(chunks);
    }

    OutputError compare(ModelProto model, List<float[]> reference) throws QuantizationException {
        double[] sums = new double[2];
        int[] next = {0};
        run(model, out -> {
            float[] ref = reference.get(next[0]++);
            if (ref.length != out.length) {
                throw new IllegalStateException("an output has " + out.length + " elements where the reference has "
                        + ref.length);
            }
            for (int i = 0; i < ref.length; i++) {
                double d = (double) ref[i] - out[i];
                sums[0] += (double) ref[i] * ref[i];
                // A NaN or infinity from the quantized model is as wrong as an output can be.
                sums[1] += Double.isFinite(d) ? d * d : Double.POSITIVE_INFINITY;
            }
        });
        return new OutputError(sums[0], sums[1]);
    }

    private interface Sink {
        void accept(float[] values);
    }

    private void run(ModelProto model, Sink sink) throws QuantizationException {
        if (model.getSerializedSize() < 0) {
            // getSerializedSize overflows past 2 GiB: a protobuf byte array cannot hold the model.
            throw new QuantizationException("sensitivity analysis runs models from memory and needs them under"
                    + " 2 GiB serialized");
        }
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model.toByteArray(), options)) {
                Set<String> floatOutputs = floatOutputs(session);
                InputFeeds feeds = InputFeeds.bind(specs(session.getInputInfo()), samples.arrays(), "the model");
                int batch = feeds.effectiveBatchSize(batchSize);
                for (int start = 0; start < samples.count(); start += batch) {
                    int count = Math.min(batch, samples.count() - start);
                    try (InputBatch in = feeds.batch(env, start, count);
                            OrtSession.Result result = session.run(in.tensors(), floatOutputs)) {
                        for (Map.Entry<String, OnnxValue> out : result) {
                            sink.accept(floats((OnnxTensor) out.getValue()));
                        }
                    }
                }
            }
        } catch (OrtException | InvalidInputException | IllegalStateException e) {
            throw new QuantizationException("ONNX Runtime failed while measuring sensitivity: " + e.getMessage(), e);
        }
    }

    private static Set<String> floatOutputs(OrtSession session) throws OrtException {
        Set<String> names = new LinkedHashSet<>();
        for (NodeInfo info : session.getOutputInfo().values()) {
            if (info.getInfo() instanceof TensorInfo t && (t.type == OnnxJavaType.FLOAT
                    || t.type == OnnxJavaType.FLOAT16 || t.type == OnnxJavaType.DOUBLE)) {
                names.add(info.getName());
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("the model has no floating-point output to compare with FP32");
        }
        return names;
    }

    private static List<TensorSpec> specs(Map<String, NodeInfo> infos) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : infos.values()) {
            if (!(node.getInfo() instanceof TensorInfo t)) {
                throw new InvalidInputException("input '" + node.getName() + "' is not a tensor: " + node.getInfo());
            }
            specs.add(new TensorSpec(node.getName(), t.type, t.getShape(), t.getDimensionNames()));
        }
        return specs;
    }

    private static float[] floats(OnnxTensor tensor) {
        float[] out = new float[Math.toIntExact(tensor.getInfo().getNumElements())];
        switch (tensor.getInfo().type) {
            case FLOAT -> tensor.getFloatBuffer().get(out);
            case FLOAT16 -> {
                ShortBuffer halves = tensor.getShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.toFloat(halves.get(i));
                }
            }
            default -> {
                DoubleBuffer doubles = tensor.getDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) doubles.get(i);
                }
            }
        }
        return out;
    }
}
