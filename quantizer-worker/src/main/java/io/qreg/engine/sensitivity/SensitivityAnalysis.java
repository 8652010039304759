package io.qreg.engine.sensitivity;

import io.qreg.engine.ScratchDirectories;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.NodeProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Measures quantized variants of one model against its FP32 outputs on the first calibration samples. The
 * FP32 outputs are computed once, when the analysis is opened, and every comparison reuses them.
 *
 * <p>int8-static calibrates inside its pass, so each variant recalibrates (only the tensors of the layers
 * it quantizes: one layer's for a sensitivity run). The pass is handed the same bounded samples as the
 * measurement, written to a temporary directory, so a variant costs one bounded calibration and one
 * bounded run; the saved model is still calibrated on the whole set. A weight-only algorithm that reads layer
 * inputs (GPTQ, AWQ) is handed the same bounded samples, for the same reason.
 */
final class SensitivityAnalysis implements AutoCloseable {

    static final String STAGE = "sensitivity";

    private final ModelProto original;
    private final QuantizationOptions options;
    private final OutputRunner runner;
    private final List<float[]> reference;
    private final Path scratch;

    private SensitivityAnalysis(ModelProto original, QuantizationOptions options, OutputRunner runner,
            List<float[]> reference, Path scratch) {
        this.original = original;
        this.options = options;
        this.runner = runner;
        this.reference = reference;
        this.scratch = scratch;
    }

    /** Loads and checks the samples and runs the FP32 model over them. */
    static SensitivityAnalysis open(OnnxModel model, QuantizationOptions options, SensitivityRequest request)
            throws QuantizationException {
        SampleSet samples = SampleSet.load(model.graph(), options.calibrationInputs(), request.maxSamples());
        Path scratch = null;
        QuantizationOptions measured = options;
        if (options.method() == Method.INT8_STATIC || options.algorithm().needsCalibration()) {
            try {
                scratch = Files.createTempDirectory("qreg-sensitivity");
                measured = options.withCalibrationInputs(samples.writeTo(scratch));
            } catch (IOException e) {
                ScratchDirectories.deleteQuietly(scratch);
                throw new QuantizationException("cannot write the sensitivity calibration samples: " + e.getMessage(), e);
            }
        }
        ModelProto original = model.toProto();
        OutputRunner runner = new OutputRunner(samples, request.batchSize());
        try {
            return new SensitivityAnalysis(original, measured, runner, runner.outputs(original), scratch);
        } catch (QuantizationException | RuntimeException e) {
            ScratchDirectories.deleteQuietly(scratch);
            throw e;
        }
    }


    /** Samples each measurement runs on. */
    int samples() {
        return runner.samples();
    }

    /** The method's run with everything it quantizes: which layers are candidates, and their joint error. */
    record Baseline(List<LayerReport> candidates, List<String> unnamed, OutputError error) {
    }

    Baseline baseline() throws QuantizationException {
        QuantizationContext all = InMemoryQuantization.apply(original, options);
        Set<String> names = new HashSet<>();
        original.getGraph().getNodeList().stream().map(NodeProto::getName).filter(n -> !n.isEmpty()).forEach(names::add);
        List<LayerReport> candidates = new ArrayList<>();
        List<String> unnamed = new ArrayList<>();
        for (LayerReport layer : all.layers()) {
            if (layer.status() != LayerReport.Status.QUANTIZED) {
                continue;
            }
            // Only a named node can be selected alone (onlyNodes) or put back to float (excludeNodes).
            if (names.contains(layer.node())) {
                candidates.add(layer);
            } else {
                unnamed.add(layer.node());
            }
        }
        return new Baseline(candidates, unnamed, runner.compare(all.model().toProto(), reference));
    }

    /**
     * Each candidate quantized alone, in the order given. A layer the pass does not quantize when it is the
     * only one selected (int8-static's pass-through ops and folded Relu only follow a quantized neighbour)
     * has no error of its own: it is left out, and is not a layer the budget could usefully keep in float.
     */
    List<LayerSensitivity> layers(List<LayerReport> candidates, ProgressListener progress) throws QuantizationException {
        return layers(candidates, UnaryOperator.identity(), progress);
    }

    /**
     * As {@link #layers(List, ProgressListener)}, each candidate quantized alone with the analysis' options changed by
     * {@code change} (another precision or block size), still calibrated on the bounded samples.
     */
    List<LayerSensitivity> layers(List<LayerReport> candidates, UnaryOperator<QuantizationOptions> change,
            ProgressListener progress) throws QuantizationException {
        QuantizationOptions at = change.apply(options);
        List<LayerSensitivity> result = new ArrayList<>();
        int done = 0;
        progress.progress(STAGE, 0, candidates.size());
        for (LayerReport layer : candidates) {
            QuantizationContext one = InMemoryQuantization.apply(original, at.withOnlyNodes(Set.of(layer.node())));
            boolean quantizedAlone = one.layers().stream().anyMatch(
                    l -> l.node().equals(layer.node()) && l.status() == LayerReport.Status.QUANTIZED);
            if (quantizedAlone) {
                result.add(new LayerSensitivity(layer.node(), layer.opType(),
                        runner.compare(one.model().toProto(), reference)));
            }
            progress.progress(STAGE, ++done, candidates.size());
        }
        return result;
    }

    /** The error with the given layers kept in float on top of the options' own exclusions. */
    OutputError withKeptFloat(Set<String> keptFloat) throws QuantizationException {
        Set<String> excluded = new HashSet<>(options.excludeNodes());
        excluded.addAll(keptFloat);
        QuantizationContext variant = InMemoryQuantization.apply(original, options.withExcludeNodes(excluded));
        return runner.compare(variant.model().toProto(), reference);
    }

    /** The model quantized with {@code other} options, in memory (the original stays untouched). */
    QuantizationContext quantizedWith(QuantizationOptions other) throws QuantizationException {
        return InMemoryQuantization.apply(original, other);
    }

    /** The error of a model quantized elsewhere (the one that is saved). */
    OutputError error(ModelProto quantized) throws QuantizationException {
        return runner.compare(quantized, reference);
    }

    @Override
    public void close() {
        ScratchDirectories.deleteQuietly(scratch);
    }

}
