package io.qreg.engine.quant;

import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.engine.quant.weightonly.Algorithm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Everything that decides what the engine writes: the CLI flags and a recipe's fields map onto
 * this one record, so the same options always produce the same model.
 *
 * @param perChannel one scale per output channel of a weight instead of one per tensor
 * @param symmetric weights without zero points (int8 methods; int4-weight stores zero points unless set)
 * @param blockSize elements per block for the block-wise weight-only methods (power of two, 16-256)
 * @param percentile for {@link CalibrationMethod#PERCENTILE}, e.g. 99.999
 * @param calibrationInputs model input name to a .npy file with the samples (int8-static, sensitivity)
 * @param accuracyBudget if set, keep the most sensitive layers in float until the output error on the
 *        calibration set is within this fraction
 * @param onlyNodes if non-null, quantize only these nodes (sensitivity analysis quantizes one at a time)
 * @param guardMaskedActivations keep activations dominated by huge constants (additive attention masks)
 *        in float; on by default
 * @param smoothQuantAlpha int8-static only: SmoothQuant's migration strength α in [0, 1] (activation outliers moved
 *        into the weights before calibration), {@link #SMOOTH_QUANT_AUTO} (NaN) to search α (or none) per layer
 *        group on the calibration data, or null for no smoothing
 * @param targetBitsPerWeight if set (int4-weight with calibration), choose int4, int8 or float per MatMul/Gemm
 *        layer to minimise the estimated output error with the stored bits per weight, scales and zero points
 *        included, at most this; null = every layer at the method's own precision
 * @param algorithm how int4-weight / int8-weight choose their codes (RTN unless set)
 * @param gptqDamp GPTQ's dampening, as a fraction of the Hessian's mean diagonal added to its diagonal
 * @param actOrder GPTQ rounds input channels in order of decreasing Hessian diagonal instead of index order
 */
public record QuantizationOptions(Method method, boolean perChannel, boolean symmetric, int blockSize,
        CalibrationMethod calibrationMethod, double percentile, Set<String> excludeNodes,
        Set<String> excludeOpTypes, Map<String, Path> calibrationInputs, Double accuracyBudget,
        Set<String> onlyNodes, boolean guardMaskedActivations, Double smoothQuantAlpha,
        Double targetBitsPerWeight, Algorithm algorithm, double gptqDamp, boolean actOrder) {

    public static final int DEFAULT_BLOCK_SIZE = 32;
    /** The {@link #smoothQuantAlpha} that asks for α to be searched on the calibration data ({@code auto}). */
    public static final double SMOOTH_QUANT_AUTO = Double.NaN;
    public static final double DEFAULT_PERCENTILE = 99.999;
    public static final double DEFAULT_GPTQ_DAMP = 0.01;

    public QuantizationOptions {
        excludeNodes = excludeNodes == null ? Set.of() : Set.copyOf(excludeNodes);
        excludeOpTypes = excludeOpTypes == null ? Set.of() : Set.copyOf(excludeOpTypes);
        calibrationInputs = calibrationInputs == null ? Map.of() : Map.copyOf(calibrationInputs);
        onlyNodes = onlyNodes == null ? null : Set.copyOf(onlyNodes);
        if (method == null) {
            throw new IllegalArgumentException("a quantization method is required");
        }
        algorithm = algorithm == null ? Algorithm.RTN : algorithm;
        // The last line of defence: callers check with the flag's or the field's name before they get here.
        OptionValues.require(Option.GPTQ_DAMP, Surface.CLI, gptqDamp);
        OptionValues.require(Option.BLOCK_SIZE, Surface.CLI, blockSize);
        if (smoothQuantAlpha != null && !smoothQuantAlpha.isNaN()) {
            OptionValues.require(Option.SMOOTH_QUANT, Surface.CLI, smoothQuantAlpha);
        }
    }

    /** The options before SmoothQuant, bit targets and weight-only algorithms: RTN, which most callers use. */
    public QuantizationOptions(Method method, boolean perChannel, boolean symmetric, int blockSize,
            CalibrationMethod calibrationMethod, double percentile, Set<String> excludeNodes,
            Set<String> excludeOpTypes, Map<String, Path> calibrationInputs, Double accuracyBudget,
            Set<String> onlyNodes, boolean guardMaskedActivations) {
        this(method, perChannel, symmetric, blockSize, calibrationMethod, percentile, excludeNodes, excludeOpTypes,
                calibrationInputs, accuracyBudget, onlyNodes, guardMaskedActivations, null, null, Algorithm.RTN,
                DEFAULT_GPTQ_DAMP, false);
    }

    /** The defaults for a method: what {@code quantize --method X} does with no other flag. */
    public static QuantizationOptions defaults(Method method) {
        return new QuantizationOptions(method, false, method != Method.INT4_WEIGHT, DEFAULT_BLOCK_SIZE,
                method == Method.INT8_STATIC ? CalibrationMethod.MINMAX : null, DEFAULT_PERCENTILE, Set.of(),
                Set.of(), Map.of(), null, null, true);
    }

    public QuantizationOptions withOnlyNodes(Set<String> nodes) {
        return with(copy -> copy.onlyNodes = nodes);
    }

    public QuantizationOptions withExcludeNodes(Set<String> nodes) {
        return with(copy -> copy.excludeNodes = nodes);
    }

    /** These options leaving every node of these op types in float ({@code --exclude-op-types}). */
    public QuantizationOptions withExcludeOpTypes(Set<String> opTypes) {
        return with(copy -> copy.excludeOpTypes = opTypes);
    }

    /** These options with SmoothQuant at {@code alpha} ({@link #SMOOTH_QUANT_AUTO} to search it, null for none). */
    public QuantizationOptions withSmoothQuantAlpha(Double alpha) {
        return with(copy -> copy.smoothQuantAlpha = alpha);
    }

    /** These options reading their calibration samples from other files (a bounded subset, say). */
    public QuantizationOptions withCalibrationInputs(Map<String, Path> files) {
        return with(copy -> copy.calibrationInputs = files);
    }

    /** Whether α is to be searched ({@code --smooth-quant auto}). */
    public boolean smoothQuantAuto() {
        return smoothQuantAlpha != null && smoothQuantAlpha.isNaN();
    }

    /** The same options with another method (the mixed-precision pass writes some layers with int8-weight). */
    public QuantizationOptions withMethod(Method other) {
        return with(copy -> copy.method = other);
    }

    /** The same options at another block size (mixed precision writes some layers at coarser blocks). */
    public QuantizationOptions withBlockSize(int size) {
        return with(copy -> copy.blockSize = size);
    }

    public QuantizationOptions withTargetBitsPerWeight(Double bits) {
        return with(copy -> copy.targetBitsPerWeight = bits);
    }

    /** The same options with the weight-only algorithm and GPTQ's settings replaced. */
    public QuantizationOptions withAlgorithm(Algorithm algorithm, double gptqDamp, boolean actOrder) {
        return with(copy -> {
            copy.algorithm = algorithm;
            copy.gptqDamp = gptqDamp;
            copy.actOrder = actOrder;
        });
    }

    /** Whether a node may be touched at all: not excluded by name or op type, and selected if a selection is set. */
    public boolean allows(String nodeName, String opType) {
        return !excludeNodes.contains(nodeName) && !excludeOpTypes.contains(opType)
                && (onlyNodes == null || onlyNodes.contains(nodeName));
    }

    /** These options with {@code change} applied: every {@code with...} method is one such change, checked anew. */
    private QuantizationOptions with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components of a set of options, to be changed one at a time before building the next. */
    private static final class Copy {
        private Method method;
        private boolean perChannel;
        private boolean symmetric;
        private int blockSize;
        private CalibrationMethod calibrationMethod;
        private double percentile;
        private Set<String> excludeNodes;
        private Set<String> excludeOpTypes;
        private Map<String, Path> calibrationInputs;
        private Double accuracyBudget;
        private Set<String> onlyNodes;
        private boolean guardMaskedActivations;
        private Double smoothQuantAlpha;
        private Double targetBitsPerWeight;
        private Algorithm algorithm;
        private double gptqDamp;
        private boolean actOrder;

        private Copy(QuantizationOptions from) {
            method = from.method;
            perChannel = from.perChannel;
            symmetric = from.symmetric;
            blockSize = from.blockSize;
            calibrationMethod = from.calibrationMethod;
            percentile = from.percentile;
            excludeNodes = from.excludeNodes;
            excludeOpTypes = from.excludeOpTypes;
            calibrationInputs = from.calibrationInputs;
            accuracyBudget = from.accuracyBudget;
            onlyNodes = from.onlyNodes;
            guardMaskedActivations = from.guardMaskedActivations;
            smoothQuantAlpha = from.smoothQuantAlpha;
            targetBitsPerWeight = from.targetBitsPerWeight;
            algorithm = from.algorithm;
            gptqDamp = from.gptqDamp;
            actOrder = from.actOrder;
        }

        private QuantizationOptions build() {
            return new QuantizationOptions(method, perChannel, symmetric, blockSize, calibrationMethod, percentile,
                    excludeNodes, excludeOpTypes, calibrationInputs, accuracyBudget, onlyNodes, guardMaskedActivations,
                    smoothQuantAlpha, targetBitsPerWeight, algorithm, gptqDamp, actOrder);
        }
    }
}
