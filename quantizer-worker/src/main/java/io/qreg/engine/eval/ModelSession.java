package io.qreg.engine.eval;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX model loaded into an ONNX Runtime session on the CPU provider, with its inputs and outputs described
 * as {@link TensorSpec}s. Shared by evaluation and benchmarking so both load models the same way.
 */
public final class ModelSession implements AutoCloseable {

    private final Path path;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final List<TensorSpec> inputs;
    private final List<TensorSpec> outputs;

    private ModelSession(Path path, OrtEnvironment environment, OrtSession session, List<TensorSpec> inputs,
                         List<TensorSpec> outputs) {
        this.path = path;
        this.environment = environment;
        this.session = session;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    /**
     * Loads {@code model} with all graph optimizations on, as a serving process would.
     *
     * @param intraOpThreads threads for one operator; 0 lets ONNX Runtime choose (one per physical core)
     * @throws ModelLoadException if the file is missing, is not an ONNX model, or uses something the runtime lacks
     */
    public static ModelSession open(Path model, int intraOpThreads) {
        if (!Files.isRegularFile(model)) {
            throw new ModelLoadException("model file not found: " + model, null);
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session = null;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // Inter-op parallelism only helps graphs with independent branches and makes timings noisier.
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            if (intraOpThreads > 0) {
                options.setIntraOpNumThreads(intraOpThreads);
            }
            session = environment.createSession(model.toString(), options);
            return new ModelSession(model, environment, session, describe(session.getInputInfo()),
                    describe(session.getOutputInfo()));
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelLoadException("ONNX Runtime cannot load " + model + " (is it an ONNX model?): "
                    + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> describe(Map<String, NodeInfo> infos) {
        List<TensorSpec> specs = new ArrayList<>();
        for (NodeInfo node : infos.values()) {
            if (node.getInfo() instanceof TensorInfo t) {
                specs.add(new TensorSpec(node.getName(), t.type, t.getShape(), t.getDimensionNames()));
            } else {
                throw new InvalidInputException("graph value '" + node.getName() + "' is " + node.getInfo()
                        + "; only tensor inputs and outputs are supported");
            }
        }
        return List.copyOf(specs);
    }

    public Path path() {
        return path;
    }

    public OrtEnvironment environment() {
        return environment;
    }

    /** Inputs in graph order. */
    public List<TensorSpec> inputs() {
        return inputs;
    }

    /** Outputs in graph order. */
    public List<TensorSpec> outputs() {
        return outputs;
    }

    /** Runs the graph, computing only {@code outputNames}; the caller closes the result. */
    public OrtSession.Result run(Map<String, OnnxTensor> feeds, Set<String> outputNames) throws OrtException {
        return session.run(feeds, outputNames);
    }

    /** The version of the ONNX Runtime native library in use, for lineage and reports. */
    public static String runtimeVersion() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    @Override
    public void close() {
        closeQuietly(session);
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // Nothing useful to do: the native session is gone either way.
            }
        }
    }
}
