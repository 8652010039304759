package io.qreg.engine.quant;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.eval.InputBatch;
import io.qreg.engine.eval.InputFeeds;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.ModelLoadException;
import io.qreg.engine.eval.ModelSession;
import io.qreg.engine.eval.OutputAgreement;
import io.qreg.engine.eval.TensorSpec;
import io.qreg.engine.model.ModelGraph;
import io.qreg.npy.NpyArray;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Proves a written model by running it: the original and the quantized model run in ONNX Runtime (optimized as a
 * serving session, so fused QDQ kernels are the ones checked) on the same inputs, batch by batch, and the
 * quantized outputs are compared with the original's. A model that cannot be loaded or run, or that gives a NaN
 * or infinity where the original was finite, fails the check.
 */
public final class ModelVerifier {

    /** Samples each check runs: enough to catch a broken kernel or a collapsed output, cheap for any model. */
    public static final int SAMPLES = 16;
    /**
     * Bytes of original model (weights, mostly) times samples one check may run: each sample costs both models a
     * forward pass, which grows with the weights. Models up to 64 MiB get all {@link #SAMPLES}; a larger model
     * gets proportionally fewer, at least {@link #MIN_SAMPLES} (an 85M-parameter, 342 MB transformer: 3).
     */
    static final long SAMPLE_BYTES_BUDGET = SAMPLES * (64L << 20);
    static final int MIN_SAMPLES = 2;
    private static final int BATCH = 8;
    private static final long SEED = 12;

    private ModelVerifier() {
    }

    /**
     * @param graph the model's graph, whose inputs calibration files are checked against
     * @param indexBounds {@link GeneratedInputs#indexBounds} of the original graph
     * @param calibration input name to .npy samples; when empty, inputs are generated from the signature
     * @throws QuantizationException naming what failed; the caller decides what happens to the files
     */
    public static VerificationCheck verify(Path original, Path quantized, ModelGraph graph,
            Map<String, Long> indexBounds, Map<String, Path> calibration) throws QuantizationException {
        return verify(original, quantized, graph, indexBounds, calibration, 0);
    }

    /**
     * @param originalBytes the original model's size on disk with its external data; above 64 MiB the check runs
     *     fewer samples ({@link #samplesFor})
     */
    public static VerificationCheck verify(Path original, Path quantized, ModelGraph graph,
            Map<String, Long> indexBounds, Map<String, Path> calibration, long originalBytes)
            throws QuantizationException {
        int wanted = samplesFor(originalBytes);
        try (ModelSession reference = open(original, "the original model");
                ModelSession candidate = open(quantized, "the quantized model")) {
            Map<String, NpyArray> arrays = calibration.isEmpty()
                    ? GeneratedInputs.create(reference.inputs(), indexBounds, wanted, SEED)
                    : CalibrationData.load(graph, calibration).arrays();
            String source = calibration.isEmpty() ? VerificationCheck.GENERATED : VerificationCheck.CALIBRATION;
            InputFeeds feeds = InputFeeds.bind(candidate.inputs(), arrays, "the quantized model");
            int batch = feeds.effectiveBatchSize(Math.min(BATCH, wanted));
            // A model with a fixed batch dimension takes exactly that many samples per run.
            int samples = Math.min(feeds.samples(), Math.max(batch, wanted - wanted % batch));
            Set<String> compared = floatOutputs(reference);
            Set<String> outputs = compared.isEmpty() ? allOutputs(reference) : compared;
            OutputAgreement agreement = new OutputAgreement();
            for (int start = 0; start < samples; start += batch) {
                try (InputBatch in = feeds.batch(reference.environment(), start, Math.min(batch, samples - start));
                        OrtSession.Result expected = reference.run(in.tensors(), outputs)) {
                    OrtSession.Result actual;
                    try {
                        actual = candidate.run(in.tensors(), outputs);
                    } catch (OrtException e) {
                        throw new QuantizationException("the quantized model fails to run in ONNX Runtime "
                                + ModelSession.runtimeVersion() + ": " + e.getMessage(), e);
                    }
                    try (actual) {
                        boolean first = true;
                        for (String name : compared) {
                            OnnxValue want = expected.get(name).orElseThrow();
                            OnnxValue got = actual.get(name).orElseThrow();
                            agreement.add(name, want, got, first);
                            first = false;
                        }
                    }
                }
            }
            if (agreement.nonFinite() > 0) {
                throw new QuantizationException("the quantized model gives " + agreement.nonFinite() + " NaN or"
                        + " infinite values in output '" + agreement.firstNonFiniteOutput() + "' where the original"
                        + " is finite (on " + samples + " " + source + " samples)");
            }
            double sqnr = agreement.sqnrDb();
            double top1 = agreement.top1Agreement();
            return new VerificationCheck(samples, source,
                    Double.isNaN(sqnr) ? null : Math.max(-VerificationCheck.IDENTICAL_SQNR_DB,
                            Math.min(VerificationCheck.IDENTICAL_SQNR_DB, sqnr)),
                    Double.isNaN(top1) ? null : top1, List.copyOf(compared), ModelSession.runtimeVersion());
        } catch (OrtException e) {
            throw new QuantizationException("ONNX Runtime failed to run the original model for the check: "
                    + e.getMessage(), e);
        } catch (InvalidInputException e) {
            throw new QuantizationException("cannot verify the quantized model: " + e.getMessage(), e);
        }
    }

    /** {@link #SAMPLES}, or fewer for a model over 64 MiB: the check's cost stays about that of a 64 MiB model. */
    static int samplesFor(long originalBytes) {
        if (originalBytes <= 0) {
            return SAMPLES;
        }
        return (int) Math.max(MIN_SAMPLES, Math.min(SAMPLES, SAMPLE_BYTES_BUDGET / originalBytes));
    }

    private static ModelSession open(Path model, String what) throws QuantizationException {
        try {
            return ModelSession.open(model, 1);
        } catch (ModelLoadException e) {
            String why = e.getCause() instanceof OrtException ort ? ort.getMessage() : e.getMessage();
            throw new QuantizationException("ONNX Runtime cannot load " + what + ": " + why, e);
        }
    }

    /** The outputs both models are compared on: every floating-point one (the original's order). */
    private static Set<String> floatOutputs(ModelSession session) {
        Set<String> names = new LinkedHashSet<>();
        for (TensorSpec spec : session.outputs()) {
            if (spec.type() == OnnxJavaType.FLOAT || spec.type() == OnnxJavaType.FLOAT16
                    || spec.type() == OnnxJavaType.DOUBLE) {
                names.add(spec.name());
            }
        }
        return names;
    }

    /** A model without a floating-point output still has to run: every output is asked for, none compared. */
    private static Set<String> allOutputs(ModelSession session) {
        Set<String> names = new LinkedHashSet<>();
        session.outputs().forEach(spec -> names.add(spec.name()));
        return names;
    }
}
