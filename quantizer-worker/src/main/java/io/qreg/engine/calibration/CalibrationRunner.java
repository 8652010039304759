package io.qreg.engine.calibration;

import io.qreg.engine.ScratchDirectories;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.QuantizationException;
import io.qreg.npy.NpyArray;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Runs a model in ONNX Runtime over a calibration set and feeds the values of chosen intermediate
 * tensors to their calibrators.
 *
 * <p>The tensors are exposed by an augmented copy of the model that lists them as extra graph outputs
 * (declared float: only float tensors are calibrated). Samples go through in batches of
 * {@code batchSize}, so the memory the activations take is bounded by one batch whatever the size of
 * the set, and each batch's values are handed to the calibrators and dropped.
 */
public final class CalibrationRunner {

    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final String STAGE = "calibration";

    private final int batchSize;
    private final ProgressListener progress;

    public CalibrationRunner(int batchSize, ProgressListener progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /**
     * Runs {@code model} over {@code data}, feeding each tensor named in {@code calibrators} to its
     * calibrator. The model is not modified.
     *
     * @throws QuantizationException if ONNX Runtime cannot load or run the augmented model
     */
    public void run(OnnxModel model, CalibrationData data, Map<String, ? extends TensorObserver> calibrators)
            throws QuantizationException {
        if (calibrators.isEmpty()) {
            // Nothing selected needs a range (e.g. only pass-through ops are selected); ONNX Runtime
            // refuses a run that asks for no output at all.
            return;
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("qreg-calibration");
            Path augmented = dir.resolve("augmented.onnx");
            // Saved through OnnxModel so large weights go to external data instead of a >2 GiB protobuf.
            OnnxModel.of(augment(model.toProto(), calibrators.keySet())).save(augmented);
            runSession(augmented, data, calibrators);
        } catch (IOException e) {
            throw new QuantizationException("cannot write the calibration model: " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new QuantizationException("ONNX Runtime failed on the calibration set: " + e.getMessage(), e);
        } finally {
            ScratchDirectories.deleteQuietly(dir);
        }
    }

    /** The model with every tensor in {@code tensors} added to the graph outputs as a float tensor. */
    static ModelProto augment(ModelProto model, Set<String> tensors) {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        graph.getOutputList().forEach(o -> outputs.add(o.getName()));
        for (String tensor : tensors) {
            if (outputs.add(tensor)) {
                graph.addOutput(ValueInfoProto.newBuilder().setName(tensor).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        return model.toBuilder().setGraph(graph).build();
    }

    private void runSession(Path modelFile, CalibrationData data, Map<String, ? extends TensorObserver> calibrators)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int total = data.samples();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // Graph optimizations could fuse away the very tensors we asked for; ranges must be of the
            // graph as written.
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            try (OrtSession session = env.createSession(modelFile.toString(), options)) {
                progress.progress(STAGE, 0, total);
                for (int start = 0; start < total; start += batchSize) {
                    int count = Math.min(batchSize, total - start);
                    Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                    try {
                        for (Map.Entry<String, NpyArray> e : data.arrays().entrySet()) {
                            feed.put(e.getKey(), slice(env, e.getValue(), start, count));
                        }
                        try (OrtSession.Result result = session.run(feed, calibrators.keySet())) {
                            for (Map.Entry<String, OnnxValue> out : result) {
                                float[] values = floats((OnnxTensor) out.getValue());
                                calibrators.get(out.getKey()).observe(values);
                            }
                        }
                    } finally {
                        feed.values().forEach(OnnxTensor::close);
                    }
                    progress.progress(STAGE, start + count, total);
                }
            }
        }
    }

    /** Rows [start, start + count) of the array as a tensor of the same element type. */
    private static OnnxTensor slice(OrtEnvironment env, NpyArray array, int start, int count) throws OrtException {
        long[] shape = array.shape();
        long rowBytes = array.data().remaining() / shape[0];
        shape[0] = count;
        ByteBuffer all = array.data();
        ByteBuffer rows = ByteBuffer.allocateDirect(Math.toIntExact(rowBytes * count)).order(ByteOrder.nativeOrder());
        ByteBuffer src = all.slice(Math.toIntExact(rowBytes * start), Math.toIntExact(rowBytes * count))
                .order(ByteOrder.LITTLE_ENDIAN);
        rows.put(src).flip();
        return OnnxTensor.createTensor(env, rows, shape, javaType(array));
    }

    private static OnnxJavaType javaType(NpyArray array) {
        return switch (array.dtype()) {
            case FLOAT32 -> OnnxJavaType.FLOAT;
            case FLOAT16 -> OnnxJavaType.FLOAT16;
            case FLOAT64 -> OnnxJavaType.DOUBLE;
            case INT64 -> OnnxJavaType.INT64;
            case INT32 -> OnnxJavaType.INT32;
            case INT8 -> OnnxJavaType.INT8;
            case UINT8 -> OnnxJavaType.UINT8;
            case BOOL -> OnnxJavaType.BOOL;
        };
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer buffer = tensor.getFloatBuffer();
        // ONNX Runtime already copied the values into a heap buffer: take its array rather than copying again
        // (for GPTQ's Gram outputs a second copy is hundreds of MB of garbage per batch).
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return values;
    }


    /** Convenience: one calibrator per tensor from a factory, run, and returned by tensor name. */
    public <C extends Calibrator> Map<String, C> calibrate(OnnxModel model, CalibrationData data, Set<String> tensors,
            Supplier<C> factory) throws QuantizationException {
        Map<String, C> calibrators = new HashMap<>();
        for (String t : tensors) {
            calibrators.put(t, factory.get());
        }
        run(model, data, calibrators);
        return calibrators;
    }
}
