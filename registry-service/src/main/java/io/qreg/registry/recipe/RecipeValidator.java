package io.qreg.registry.recipe;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.qreg.engine.quant.Method;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.MethodOptions.Option;
import io.qreg.engine.quant.MethodOptions.Surface;
import io.qreg.engine.quant.OptionValues;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.Excerpt;

/**
 * Turns a request into a {@link RecipeSpec}, refusing combinations the engine cannot honour with
 * a message that names the field.
 */
final class RecipeValidator {

    private static final Pattern OP_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    private RecipeValidator() {
    }

    static RecipeSpec validate(RecipeRequest r) {
        if (r.name() == null || !ModelService.NAME.matcher(r.name()).matches()) {
            throw ApiException.invalid("name",
                    "name must be 1-63 characters of lowercase letters, digits and '-', e.g. 'int8-per-channel'");
        }
        if (r.method() == null) {
            throw ApiException.invalid("method", "method is required: " + Method.wireNamesSentence());
        }
        Method method;
        try {
            method = Method.parse(r.method());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("method", e.getMessage());
        }
        refuseInapplicable(r, method);
        boolean perChannel = Boolean.TRUE.equals(r.perChannel());
        // Weight-only 4-bit defaults to zero points (better accuracy), int8 to symmetric weights.
        boolean symmetric = r.symmetric() != null ? r.symmetric()
                : method != Method.FP16 && method != Method.INT4_WEIGHT && method != Method.QAT;

        Integer blockSize = r.blockSize();
        if (method.isBlockWise()) {
            blockSize = blockSize == null ? QuantizationOptions.DEFAULT_BLOCK_SIZE : blockSize;
            requireAccepted(Option.BLOCK_SIZE, blockSize);
        }

        String calibration = r.calibrationMethod();
        Double percentile = r.percentile();
        if (method == Method.INT8_STATIC) {
            if (calibration == null) {
                throw ApiException.invalid("calibrationMethod",
                        "int8-static needs a calibrationMethod (minmax, percentile or entropy) to set activation ranges");
            }
            try {
                CalibrationMethod.parse(calibration);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("calibrationMethod", "calibrationMethod: " + e.getMessage());
            }
        }
        if (CalibrationMethod.PERCENTILE.wireName().equals(calibration)) {
            percentile = percentile == null ? QuantizationOptions.DEFAULT_PERCENTILE : percentile;
            requireAccepted(Option.PERCENTILE, percentile);
        } else if (percentile != null) {
            throw ApiException.invalid("percentile", "percentile applies only with calibrationMethod 'percentile'");
        }

        if (r.accuracyBudget() != null) {
            requireAccepted(Option.ACCURACY_BUDGET, r.accuracyBudget());
        }
        if (r.notes() != null && r.notes().length() > 4000) {
            throw ApiException.invalid("notes", "notes must be at most 4000 characters");
        }
        RecipeAlgorithms.Fields added = RecipeAlgorithms.validate(r, method);
        return new RecipeSpec(method.wireName(), perChannel, symmetric, blockSize, calibration, percentile,
                names("excludeNodes", r.excludeNodes(), null), names("excludeOpTypes", r.excludeOpTypes(), OP_TYPE),
                r.accuracyBudget(), r.notes(), added.algorithm(), added.gptqDamp(), added.actOrder(),
                added.smoothQuantAlpha(), added.targetBitsPerWeight());
    }

    /** A number outside what the engine accepts for {@code option} ({@link OptionValues}) is refused by field. */
    static void requireAccepted(Option option, double value) {
        OptionValues.problem(option, Surface.RECIPE, value).ifPresent(message -> {
            throw ApiException.invalid(option.field(), message);
        });
    }

    /**
     * Each field set that the method would ignore is refused by name, from the engine's one table of which
     * options each method honours ({@link MethodOptions}). A {@code perChannel: false} asks for the default and
     * is accepted everywhere; {@code symmetric} is checked as the choice it makes.
     */
    private static void refuseInapplicable(RecipeRequest r, Method method) {
        Map<MethodOptions.Option, Boolean> given = new EnumMap<>(MethodOptions.Option.class);
        given.put(MethodOptions.Option.PER_CHANNEL, Boolean.TRUE.equals(r.perChannel()));
        given.put(MethodOptions.Option.SYMMETRIC, Boolean.TRUE.equals(r.symmetric()));
        given.put(MethodOptions.Option.ASYMMETRIC, Boolean.FALSE.equals(r.symmetric()));
        given.put(MethodOptions.Option.BLOCK_SIZE, r.blockSize() != null);
        given.put(MethodOptions.Option.CALIBRATION_METHOD, r.calibrationMethod() != null);
        given.put(MethodOptions.Option.PERCENTILE, r.percentile() != null);
        given.put(MethodOptions.Option.ACCURACY_BUDGET, r.accuracyBudget() != null);
        given.put(MethodOptions.Option.EXCLUDE_NODES, r.excludeNodes() != null && !r.excludeNodes().isEmpty());
        given.put(MethodOptions.Option.EXCLUDE_OP_TYPES, r.excludeOpTypes() != null && !r.excludeOpTypes().isEmpty());
        given.forEach((option, present) -> {
            if (present) {
                MethodOptions.refusal(method, option, MethodOptions.Surface.RECIPE).ifPresent(message -> {
                    throw ApiException.invalid(option.field(), message);
                });
            }
        });
    }

    /** Whether recipes of {@code method} (a wire name) carry a weight-only {@code algorithm}. */
    static boolean hasAlgorithm(String method) {
        return RecipeAlgorithms.hasAlgorithm(Method.parse(method));
    }

    /** Sorted and de-duplicated: the order a list was typed in does not change the recipe. */
    private static List<String> names(String field, List<String> values, Pattern pattern) {
        if (values == null) {
            return List.of();
        }
        TreeSet<String> sorted = new TreeSet<>();
        for (String v : values) {
            if (v == null || v.isBlank() || v.length() > 256) {
                throw ApiException.invalid(field, field + " entries must be non-blank names of at most 256 characters");
            }
            if (pattern != null && !pattern.matcher(v).matches()) {
                throw ApiException.invalid(field,
                        "'" + Excerpt.of(v) + "' is not an ONNX op type name (e.g. Gather, MatMul)");
            }
            sorted.add(v);
        }
        return List.copyOf(sorted);
    }
}
