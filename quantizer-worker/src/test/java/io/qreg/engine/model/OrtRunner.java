package io.qreg.engine.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyDType;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Test-only: runs a model file in ONNX Runtime (one thread, so results are deterministic) and returns output 0's
 * floats; the one runner the engine's tests share.
 */
public final class OrtRunner {

    private OrtRunner() {
    }

    /** The first {@code samples} rows of {@code input}, fed as {@code inputName}. */
    public static float[] run(Path model, String inputName, NpyArray input, int samples) throws OrtException {
        long[] shape = input.shape();
        long rowElements = input.elementCount() / shape[0];
        shape[0] = samples;
        int count = Math.toIntExact(rowElements * samples);
        return run(model, inputName, env -> tensor(env, input, shape, count), OptLevel.ALL_OPT);
    }

    /** All of {@code input} (float), fed as {@code inputName}. */
    public static float[] run(Path model, String inputName, NpyArray input) throws OrtException {
        return run(model, inputName, input.toFloatArray(), input.shape());
    }

    /** {@code x} in {@code shape}, fed as {@code inputName}. */
    public static float[] run(Path model, String inputName, float[] x, long[] shape) throws OrtException {
        return run(model, inputName, env -> OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape),
                OptLevel.ALL_OPT);
    }

    /**
     * As {@link #run(Path, String, float[], long[])} with ONNX Runtime's graph optimizations off, so no QDQ fusion
     * swaps a DequantizeLinear, op, QuantizeLinear group for an int8 kernel: every node computes what the ONNX spec
     * says it does, on every CPU alike (see {@link Int8Kernels} for why the fused kernels do not).
     */
    public static float[] runAsWritten(Path model, String inputName, float[] x, long[] shape) throws OrtException {
        return run(model, inputName, env -> OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape),
                OptLevel.NO_OPT);
    }

    private interface Input {
        OnnxTensor create(OrtEnvironment env) throws OrtException;
    }

    private static float[] run(Path model, String inputName, Input input, OptLevel optimizations)
            throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(optimizations);
            // Loading from the path (not bytes) is what lets ONNX Runtime find external data files.
            try (OrtSession session = env.createSession(model.toString(), options);
                    OnnxTensor tensor = input.create(env);
                    OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
                FloatBuffer out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] values = new float[out.remaining()];
                out.get(values);
                return values;
            }
        }
    }

    private static OnnxTensor tensor(OrtEnvironment env, NpyArray input, long[] shape, int count) throws OrtException {
        if (input.dtype() == NpyDType.INT64) {
            return OnnxTensor.createTensor(env, LongBuffer.wrap(Arrays.copyOf(input.toLongArray(), count)), shape);
        }
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(Arrays.copyOf(input.toFloatArray(), count)), shape);
    }
}
