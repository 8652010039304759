package io.qreg.engine.quant;

import io.qreg.engine.quant.weightonly.Algorithm;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one table of which options each method honours. An option outside its method's row would change nothing in
 * the written model, so both the CLI ({@code quantize}) and the registry's recipe validation refuse it, naming the
 * flag or the field, instead of letting the user believe it took effect.
 */
public final class MethodOptions {

    /** Where an option was given: decides whether a message names the CLI flag or the recipe field. */
    public enum Surface { CLI, RECIPE }

    /** Each option by its CLI flag and its recipe field (null where recipes have no such field). */
    public enum Option {
        PER_CHANNEL("--per-channel", "perChannel"),
        SYMMETRIC("--symmetric", "symmetric"),
        ASYMMETRIC("--asymmetric", "symmetric"),
        BLOCK_SIZE("--block-size", "blockSize"),
        CALIBRATION("--calibration", "calibrationDataset"),
        CALIBRATION_METHOD("--calibration-method", "calibrationMethod"),
        PERCENTILE("--percentile", "percentile"),
        ACCURACY_BUDGET("--accuracy-budget", "accuracyBudget"),
        EXCLUDE_NODES("--exclude-nodes", "excludeNodes"),
        EXCLUDE_OP_TYPES("--exclude-op-types", "excludeOpTypes"),
        NO_MASK_GUARD("--no-mask-guard", null),
        SMOOTH_QUANT("--smooth-quant", "smoothQuantAlpha"),
        TARGET_BITS_PER_WEIGHT("--target-bits-per-weight", "targetBitsPerWeight"),
        ALGORITHM("--algorithm", "algorithm"),
        GPTQ_DAMP("--gptq-damp", "gptqDamp"),
        ACT_ORDER("--act-order", "actOrder");

        private final String flag;
        private final String field;

        Option(String flag, String field) {
            this.flag = flag;
            this.field = field;
        }

        public String flag() {
            return flag;
        }

        /** The recipe field, or null when recipes cannot set it. */
        public String field() {
            return field;
        }

        public String name(Surface surface) {
            return surface == Surface.CLI || field == null ? flag : field;
        }
    }

    /** Options every method honours: what to skip, and the calibration data sensitivity and the check run on. */
    private static final Set<Option> COMMON = EnumSet.of(Option.CALIBRATION, Option.ACCURACY_BUDGET,
            Option.EXCLUDE_NODES, Option.EXCLUDE_OP_TYPES);

    private static final Map<Method, Set<Option>> APPLIES = new EnumMap<>(Method.class);

    static {
        APPLIES.put(Method.INT8_DYNAMIC, with(Option.PER_CHANNEL, Option.SYMMETRIC, Option.ASYMMETRIC));
        // Static QDQ weights are symmetric int8 (the Gather table too): zero point 0 is what ONNX Runtime's QDQ
        // fusions into integer kernels expect, so there is no asymmetric variant to offer.
        APPLIES.put(Method.INT8_STATIC, with(Option.PER_CHANNEL, Option.SYMMETRIC, Option.CALIBRATION_METHOD,
                Option.PERCENTILE, Option.NO_MASK_GUARD, Option.SMOOTH_QUANT));
        // GPTQ's own settings are refused unless the algorithm is GPTQ too: see algorithmRefusal.
        APPLIES.put(Method.INT4_WEIGHT, with(Option.SYMMETRIC, Option.ASYMMETRIC, Option.BLOCK_SIZE,
                Option.TARGET_BITS_PER_WEIGHT, Option.ALGORITHM, Option.GPTQ_DAMP, Option.ACT_ORDER));
        APPLIES.put(Method.INT8_WEIGHT, with(Option.SYMMETRIC, Option.ASYMMETRIC, Option.BLOCK_SIZE,
                Option.ALGORITHM, Option.GPTQ_DAMP, Option.ACT_ORDER));
        APPLIES.put(Method.FP16, with());
        // A QAT export fixes every weight's grid and every activation's scale; the import keeps them as trained.
        APPLIES.put(Method.QAT, EnumSet.noneOf(Option.class));
    }

    private MethodOptions() {
    }

    private static Set<Option> with(Option... options) {
        Set<Option> set = EnumSet.copyOf(COMMON);
        set.addAll(Set.of(options));
        return set;
    }

    public static boolean applies(Method method, Option option) {
        return APPLIES.getOrDefault(method, Set.of()).contains(option);
    }

    /**
     * Why {@code option} does nothing for {@code method}, as a sentence naming it the way {@code surface} spells
     * it, e.g. "--per-channel does not apply to int4-weight: its granularity is --block-size"; empty if it applies.
     */
    public static Optional<String> refusal(Method method, Option option, Surface surface) {
        if (applies(method, option)) {
            return Optional.empty();
        }
        String name = option.name(surface);
        String m = method.wireName();
        if (method == Method.QAT) {
            return Optional.of(name + " does not apply to qat: a QAT export already fixes every weight's grid and"
                    + " every activation's scale, which the import keeps as trained");
        }
        String reason = switch (option) {
            case PER_CHANNEL -> method == Method.FP16 ? "fp16 has no scales"
                    : "its granularity is " + Option.BLOCK_SIZE.name(surface);
            case SYMMETRIC, ASYMMETRIC -> method == Method.FP16 ? "fp16 has no zero points"
                    : "its weights are always symmetric int8 (zero point 0, which ONNX Runtime's QDQ integer"
                            + " kernels expect)";
            case ALGORITHM, GPTQ_DAMP, ACT_ORDER -> "weight-only algorithms are for int4-weight and int8-weight";
            case BLOCK_SIZE -> "block sizes are for the block-wise methods int4-weight and int8-weight";
            case CALIBRATION_METHOD, PERCENTILE -> "activation ranges are calibrated by int8-static only";
            case NO_MASK_GUARD -> "the mask guard keeps int8-static activations in float; " + m
                    + " quantizes no activation ranges";
            case SMOOTH_QUANT -> "SmoothQuant moves activation outliers into the weights before activation ranges are"
                    + " calibrated, which int8-static alone does";
            case TARGET_BITS_PER_WEIGHT -> "the bits-per-weight target mixes int4, int8 and float layers and is"
                    + " offered for int4-weight only";
            default -> "this engine does not implement it for " + m;
        };
        return Optional.of(name + " does not apply to " + m + ": " + reason);
    }

    /**
     * The one refusal between a bits-per-weight target and the weight-only algorithm: the mix writes some layers at
     * int8, and HQQ with zero points has no 8-bit form (MatMulNBits takes its float zero points at 4 bits only).
     * Every other algorithm composes with the target. Empty when all is well.
     */
    public static Optional<String> targetRefusal(Algorithm algorithm, boolean symmetric, Surface surface) {
        if (algorithm != Algorithm.HQQ || symmetric) {
            return Optional.empty();
        }
        return Optional.of(Option.TARGET_BITS_PER_WEIGHT.name(surface) + " with " + Option.ALGORITHM.name(surface)
                + " hqq needs " + (surface == Surface.CLI ? "--symmetric" : "symmetric true") + ": the mix writes some"
                + " layers at int8, and MatMulNBits takes HQQ's float zero points at 4 bits only");
    }

    /**
     * The refusals that depend on the weight-only algorithm rather than the method: GPTQ's damp and act-order do
     * nothing for another algorithm, and GPTQ and AWQ cannot run without calibration data. Empty when all is well.
     */
    public static Optional<String> algorithmRefusal(Method method, Algorithm algorithm, boolean dampGiven,
            boolean actOrderGiven, boolean hasCalibration, Surface surface) {
        if (!method.isBlockWise()) {
            return Optional.empty();
        }
        for (Option option : new Option[] {Option.GPTQ_DAMP, Option.ACT_ORDER}) {
            boolean given = option == Option.GPTQ_DAMP ? dampGiven : actOrderGiven;
            if (given && algorithm != Algorithm.GPTQ) {
                return Optional.of(option.name(surface) + " applies only with " + Option.ALGORITHM.name(surface)
                        + " gptq, not " + algorithm.wireName());
            }
        }
        if (algorithm.needsCalibration() && !hasCalibration) {
            return Optional.of(algorithm.wireName() + " reads the activations each layer sees: it needs "
                    + (surface == Surface.CLI ? "--calibration INPUT_NAME=FILE.npy"
                            : "a calibration dataset (" + Option.CALIBRATION.name(surface) + ")"));
        }
        return Optional.empty();
    }
}
