package io.qreg.engine.quant;

import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * The values each numeric option accepts, defined once. The CLI, the worker reading a recipe, the registry validating
 * one and {@link QuantizationOptions} itself all ask here, so a value one of them accepts the others accept too, and
 * every refusal reads the same apart from naming the flag or the recipe field.
 */
public final class OptionValues {

    private static final String AUTO = "auto";

    private OptionValues() {
    }

    /**
     * Why {@code value} is not accepted for {@code option}, as a sentence naming it the way {@code surface} spells it,
     * e.g. "gptqDamp is the Hessian dampening ... above 0 and below 1 (e.g. 0.01), got 2"; empty if it is accepted.
     *
     * @throws IllegalArgumentException for an option that takes no number
     */
    public static Optional<String> problem(Option option, Surface surface, double value) {
        boolean accepted = switch (option) {
            case BLOCK_SIZE -> value == Math.rint(value) && value >= 16 && value <= 256
                    && Integer.bitCount((int) value) == 1;
            case PERCENTILE -> value > 90 && value <= 100;
            case ACCURACY_BUDGET, GPTQ_DAMP -> value > 0 && value < 1;
            case SMOOTH_QUANT -> value >= 0 && value <= 1;
            case TARGET_BITS_PER_WEIGHT -> value > 0 && value <= 32;
            default -> throw new IllegalArgumentException(option.flag() + " takes no number");
        };
        return accepted ? Optional.empty() : Optional.of(sentence(option, surface, plain(value)));
    }

    /**
     * Parses a number as the CLI or a recipe spells it; for {@link Option#SMOOTH_QUANT} also {@code auto}, returned
     * as {@link QuantizationOptions#SMOOTH_QUANT_AUTO}.
     *
     * @throws IllegalArgumentException with a sentence naming the option, if the text is no accepted value
     */
    public static double parse(Option option, Surface surface, String text) {
        String value = text.strip();
        if (option == Option.SMOOTH_QUANT && value.equalsIgnoreCase(AUTO)) {
            return QuantizationOptions.SMOOTH_QUANT_AUTO;
        }
        double number;
        try {
            number = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(sentence(option, surface, "'" + text + "'"));
        }
        require(option, surface, number);
        return number;
    }

    /** @throws IllegalArgumentException with {@link #problem}'s sentence if {@code value} is not accepted */
    public static void require(Option option, Surface surface, double value) {
        problem(option, surface, value).ifPresent(message -> {
            throw new IllegalArgumentException(message);
        });
    }

    private static String sentence(Option option, Surface surface, String shown) {
        return option.name(surface) + " is " + meaning(option) + ", got " + shown;
    }

    private static String meaning(Option option) {
        return switch (option) {
            case BLOCK_SIZE -> "the weights per block, a power of two from 16 to 256 (e.g. 32)";
            case PERCENTILE -> "the percentile of calibration values the activation range covers, above 90 and at"
                    + " most 100 (e.g. 99.999)";
            case ACCURACY_BUDGET -> "the tolerated output error as a fraction, above 0 and below 1 (e.g. 0.01)";
            case GPTQ_DAMP -> "the Hessian dampening as a fraction of its mean diagonal, above 0 and below 1"
                    + " (e.g. 0.01)";
            case SMOOTH_QUANT -> "the migration strength, a number from 0 to 1 (e.g. 0.5), or auto to search it on"
                    + " the calibration data";
            case TARGET_BITS_PER_WEIGHT -> "the most bits per weight the model may store, scales and zero points"
                    + " included, above 0 and at most 32 (e.g. 5.5)";
            default -> throw new IllegalArgumentException(option.flag() + " takes no number");
        };
    }

    private static String plain(double value) {
        return Double.isFinite(value) ? BigDecimal.valueOf(value).stripTrailingZeros().toPlainString()
                : Double.toString(value);
    }
}
