package io.qreg.engine.pipeline;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.model.OnnxModelException;
import io.qreg.engine.quant.FloatLayerReports;
import io.qreg.engine.quant.GeneratedInputs;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.ModelVerifier;
import io.qreg.engine.quant.NothingQuantized;
import io.qreg.engine.quant.Passes;
import io.qreg.engine.quant.PrecisionMix;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.QuantizedInput;
import io.qreg.engine.quant.VerificationCheck;
import io.qreg.engine.quant.WrittenLayer;
import io.qreg.engine.quant.WrittenLayers;
import io.qreg.engine.sensitivity.BudgetOutcome;
import io.qreg.engine.sensitivity.SensitiveQuantization;
import io.qreg.engine.sensitivity.SensitivityRequest;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Quantizes one model file into another: load, validate the options against the graph, run the
 * method's pass, read the precision mix off the rewritten graph (refusing when no layer was quantized),
 * save atomically, then prove the result by running it and the original in ONNX Runtime on the same inputs
 * ({@link ModelVerifier}). On any failure no output file is left behind.
 */
public final class Quantizer {

    /** Default-domain opsets the passes are written and tested against. */
    public static final long MIN_OPSET = 10;
    public static final long MAX_OPSET = 21;

    private Quantizer() {
    }

    /** Quantizes with the sensitivity analysis the options imply ({@link SensitivityRequest#implied}). */
    public static QuantizationReport quantize(Path in, Path out, QuantizationOptions options,
            ProgressListener progress) throws QuantizationException {
        return quantize(in, out, options, progress, SensitivityRequest.implied(options));
    }

    /**
     * Quantizes, measuring per-layer sensitivity when {@code sensitivity} asks for it or the options set an
     * accuracy budget (then the saved model is the one the budget loop settled on).
     */
    public static QuantizationReport quantize(Path in, Path out, QuantizationOptions options,
            ProgressListener progress, SensitivityRequest sensitivity) throws QuantizationException {
        long started = System.nanoTime();
        checkDistinct(in, out);
        OnnxModel model = load(in);
        validate(model, options);
        QuantizedInput.check(model, options.method());
        // Read before the passes rewrite the graph: which inputs index which embedding tables.
        Map<String, Long> indexBounds = GeneratedInputs.indexBounds(model.graph());
        List<String> unmatchedExclusions = unmatchedExcludedOpTypes(model, options);
        List<LayerReport> layers;
        List<String> notes;
        BudgetOutcome budget = null;
        if (sensitivity.measure() || options.accuracyBudget() != null || options.targetBitsPerWeight() != null) {
            SensitiveQuantization.Result result = SensitiveQuantization.quantize(model, options, sensitivity, progress);
            layers = result.layers();
            notes = result.notes();
            budget = result.budget();
        } else {
            QuantizationContext context = new QuantizationContext(model, options, progress);
            Passes.forMethod(options.method()).apply(context);
            layers = context.layers();
            notes = context.notes();
        }
        notes = new ArrayList<>(notes);
        notes.addAll(unmatchedExclusions);
        // Before anything is written: a model with no layer below float32 must never be labelled quantized.
        List<WrittenLayer> written = WrittenLayers.of(model.graph());
        layers = FloatLayerReports.complete(options.method(), written, layers);
        PrecisionMix mix = PrecisionMix.of(written);
        NothingQuantized.check(options.method(), mix, written, layers,
                budget == null ? List.of() : budget.keptFloat());
        try {
            model.save(out);
        } catch (IOException e) {
            throw new QuantizationException("cannot write " + out + ": " + e.getMessage(), e);
        }
        long before = sizeOnDisk(in) + model.externalDataFiles().stream().mapToLong(Quantizer::sizeOnDisk).sum();
        VerificationCheck check = verify(in, out, model, indexBounds, options.calibrationInputs(), before);
        long after = sizeOnDisk(out) + sizeOnDisk(dataFile(out));
        return new QuantizationReport(options.method(), options, before, after, layers, notes,
                (System.nanoTime() - started) / 1_000_000, check.onnxRuntimeVersion(), budget, mix, check);
    }

    /**
     * An excluded op type the model lacks changes nothing; recipes are reused across models, so it is not refused,
     * but the report says so rather than letting the exclusion look as if it took effect.
     */
    private static List<String> unmatchedExcludedOpTypes(OnnxModel model, QuantizationOptions options) {
        Set<String> present = new HashSet<>();
        model.graph().nodes().forEach(n -> present.add(n.getOpType()));
        return options.excludeOpTypes().stream().filter(t -> !present.contains(t)).sorted()
                .map(t -> "excluded op type " + t + " matched no node: the model has no " + t).toList();
    }

    private static void checkDistinct(Path in, Path out) throws QuantizationException {
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new QuantizationException("the output " + out + " is the input model; write to another file");
        }
    }

    private static OnnxModel load(Path in) throws QuantizationException {
        try {
            return OnnxModel.load(in);
        } catch (OnnxModelException e) {
            throw new QuantizationException("cannot quantize " + in + ": " + e.getMessage(), e);
        } catch (NoSuchFileException e) {
            throw new QuantizationException("cannot quantize " + in + ": no such file", e);
        } catch (IOException e) {
            throw new QuantizationException("cannot read " + in + ": " + e.getMessage(), e);
        }
    }

    static void validate(OnnxModel model, QuantizationOptions options) throws QuantizationException {
        Set<String> names = new LinkedHashSet<>();
        for (NodeProto n : model.graph().nodes()) {
            names.add(n.getName());
        }
        for (String wanted : options.excludeNodes().stream().sorted().toList()) {
            if (!names.contains(wanted)) {
                throw new QuantizationException("exclude node '" + wanted + "' does not exist; the graph's nodes"
                        + " include " + names.stream().filter(s -> !s.isEmpty()).limit(12).toList());
            }
        }
        OptionalLong opset = model.opsetVersion("");
        if (opset.isEmpty()) {
            throw new QuantizationException("the model imports no default ONNX opset; expected opset "
                    + MIN_OPSET + " to " + MAX_OPSET);
        }
        if (opset.getAsLong() < MIN_OPSET || opset.getAsLong() > MAX_OPSET) {
            throw new QuantizationException("the model uses ONNX opset " + opset.getAsLong() + "; quantization"
                    + " supports opset " + MIN_OPSET + " to " + MAX_OPSET + ", convert the model first");
        }
    }

    /**
     * Runs the output and the original in ONNX Runtime on the same inputs ({@link ModelVerifier}); if the output
     * cannot be loaded or run, or breaks (NaN/infinity where the original is finite), it is deleted with its
     * external data and the error names why.
     */
    private static VerificationCheck verify(Path in, Path out, OnnxModel model, Map<String, Long> indexBounds,
            Map<String, Path> calibration, long originalBytes) throws QuantizationException {
        try {
            return ModelVerifier.verify(in, out, model.graph(), indexBounds, calibration, originalBytes);
        } catch (QuantizationException | RuntimeException e) {
            deleteQuietly(out);
            deleteQuietly(dataFile(out));
            throw new QuantizationException("the quantized model failed its check in ONNX Runtime, so it was not"
                    + " kept: " + e.getMessage(), e);
        }
    }

    /** Where {@link OnnxModel#save} puts external data for {@code out}. */
    private static Path dataFile(Path out) {
        return out.resolveSibling(out.getFileName() + ".data");
    }

    private static long sizeOnDisk(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            file.toFile().deleteOnExit();
        }
    }
}
