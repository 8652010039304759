package io.qreg.engine.quant;

import io.qreg.engine.quant.weightonly.Algorithm;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

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
 * @param algorithm how int4-weight / int8-weight choose their codes (RTN unless set)
 * @param gptqDamp GPTQ's dampening, as a fraction of the Hessian's mean diagonal added to its diagonal
 * @param actOrder GPTQ rounds input channels in order of decreasing Hessian diagonal instead of index order
 */
public record QuantizationOptions(Method method, boolean perChannel, boolean symmetric, int blockSize,
        CalibrationMethod calibrationMethod, double percentile, Set<String> excludeNodes,
        Set<String> excludeOpTypes, Map<String, Path> calibrationInputs, Double accuracyBudget,
        Set<String> onlyNodes, boolean guardMaskedActivations, Algorithm algorithm, double gptqDamp,
        boolean actOrder) {

    public static final int DEFAULT_BLOCK_SIZE = 32;
    public static final double DEFAULT_PERCENTILE = 99.999;
    public static final double DEFAULT_GPTQ_DAMP = 0.01;

    public QuantizationOptions {
        excludeNodes = excludeNodes == null ? Set.of() : Set.copyOf(excludeNodes);
        excludeOpTypes = excludeOpTypes == null ? Set.of() : Set.copyOf(excludeOpTypes);
        calibrationInputs = calibrationInputs == null ? Map.of() : Map.copyOf(calibrationInputs);
        onlyNodes = onlyNodes == null ? null : Set.copyOf(onlyNodes);
        algorithm = algorithm == null ? Algorithm.RTN : algorithm;
        if (!(gptqDamp > 0 && gptqDamp < 1)) {
            throw new IllegalArgumentException("GPTQ damp must be above 0 and below 1, got " + gptqDamp);
        }
        if (method == null) {
            throw new IllegalArgumentException("a quantization method is required");
        }
        if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two from 16 to 256, got " + blockSize);
        }
    }

    /** The options before the weight-only algorithm existed: RTN, default damp, no act-order. */
    public QuantizationOptions(Method method, boolean perChannel, boolean symmetric, int blockSize,
            CalibrationMethod calibrationMethod, double percentile, Set<String> excludeNodes,
            Set<String> excludeOpTypes, Map<String, Path> calibrationInputs, Double accuracyBudget,
            Set<String> onlyNodes, boolean guardMaskedActivations) {
        this(method, perChannel, symmetric, blockSize, calibrationMethod, percentile, excludeNodes, excludeOpTypes,
                calibrationInputs, accuracyBudget, onlyNodes, guardMaskedActivations, Algorithm.RTN,
                DEFAULT_GPTQ_DAMP, false);
    }

    /** The defaults for a method: what {@code quantize --method X} does with no other flag. */
    public static QuantizationOptions defaults(Method method) {
        return new QuantizationOptions(method, false, method != Method.INT4_WEIGHT, DEFAULT_BLOCK_SIZE,
                method == Method.INT8_STATIC ? CalibrationMethod.MINMAX : null, DEFAULT_PERCENTILE, Set.of(),
                Set.of(), Map.of(), null, null, true);
    }

    public QuantizationOptions withOnlyNodes(Set<String> nodes) {
        return new QuantizationOptions(method, perChannel, symmetric, blockSize, calibrationMethod, percentile,
                excludeNodes, excludeOpTypes, calibrationInputs, accuracyBudget, nodes, guardMaskedActivations, algorithm,
                gptqDamp, actOrder);
    }

    public QuantizationOptions withExcludeNodes(Set<String> nodes) {
        return new QuantizationOptions(method, perChannel, symmetric, blockSize, calibrationMethod, percentile,
                nodes, excludeOpTypes, calibrationInputs, accuracyBudget, onlyNodes, guardMaskedActivations, algorithm,
                gptqDamp, actOrder);
    }

    /** The same options with the weight-only algorithm and GPTQ's settings replaced. */
    public QuantizationOptions withAlgorithm(Algorithm algorithm, double gptqDamp, boolean actOrder) {
        return new QuantizationOptions(method, perChannel, symmetric, blockSize, calibrationMethod, percentile,
                excludeNodes, excludeOpTypes, calibrationInputs, accuracyBudget, onlyNodes, guardMaskedActivations,
                algorithm, gptqDamp, actOrder);
    }

    public QuantizationOptions withCalibration(Map<String, Path> inputs) {
        return new QuantizationOptions(method, perChannel, symmetric, blockSize, calibrationMethod, percentile,
                excludeNodes, excludeOpTypes, inputs, accuracyBudget, onlyNodes, guardMaskedActivations, algorithm,
                gptqDamp, actOrder);
    }

    /** Whether a node may be touched at all: not excluded by name or op type, and selected if a selection is set. */
    public boolean allows(String nodeName, String opType) {
        return !excludeNodes.contains(nodeName) && !excludeOpTypes.contains(opType)
                && (onlyNodes == null || onlyNodes.contains(nodeName));
    }
}
