package io.qreg.worker.daemon;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.engine.quant.OptionValues;
import io.qreg.engine.quant.QuantizationOptions;
import java.util.Map;

/**
 * The recipe's {@code smoothQuantAlpha}: a number from 0 to 1, the string {@code "auto"}, or absent/null for no
 * SmoothQuant. Set for a method other than int8-static it is refused like any option outside its method's row.
 */
final class SmoothQuantField {

    static final String FIELD = Option.SMOOTH_QUANT.field();

    private SmoothQuantField() {
    }

    /** @return α, {@link QuantizationOptions#SMOOTH_QUANT_AUTO} for auto, or null when not set */
    static Double read(Method method, Map<String, Object> recipe) {
        Object value = recipe.get(FIELD);
        if (value == null) {
            return null;
        }
        MethodOptions.refusal(method, Option.SMOOTH_QUANT, Surface.RECIPE).ifPresent(message -> {
            throw new JobRunner.BadInputException("recipe: " + message);
        });
        try {
            return OptionValues.parse(Option.SMOOTH_QUANT, Surface.RECIPE,
                    value instanceof Number n ? Double.toString(n.doubleValue()) : String.valueOf(value));
        } catch (IllegalArgumentException e) {
            throw new JobRunner.BadInputException("recipe: " + e.getMessage());
        }
    }
}
