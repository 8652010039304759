package io.qreg.engine.quant;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The run that proved a written model: both the original and the quantized model ran in ONNX Runtime on the same
 * inputs, and the quantized one gave finite outputs wherever the original did.
 *
 * @param samples input samples both models ran on
 * @param inputSource {@link #CALIBRATION} (the first calibration samples) or {@link #GENERATED} (made from the
 *     model's input signature, when no calibration data was given)
 * @param sqnrDb SQNR of the quantized outputs against the original's over every compared element, capped at
 *     to ±{@link #IDENTICAL_SQNR_DB} (identical outputs; an all-zero original), which JSON can carry; null when the model has no floating-point output
 * @param top1Agreement share of rows of the first output whose argmax over the last axis agrees; null when that
 *     output has no rows of two or more scores
 * @param outputs the floating-point outputs compared, by name
 * @param onnxRuntimeVersion the runtime that ran both models
 */
public record VerificationCheck(int samples, String inputSource, Double sqnrDb, Double top1Agreement,
        List<String> outputs, String onnxRuntimeVersion) {

    public static final String CALIBRATION = "calibration";
    public static final String GENERATED = "generated";
    /** What identical outputs report instead of +Infinity, which JSON cannot carry (as in layer sensitivities). */
    public static final double IDENTICAL_SQNR_DB = 200.0;

    public VerificationCheck {
        outputs = List.copyOf(outputs);
        if (!CALIBRATION.equals(inputSource) && !GENERATED.equals(inputSource)) {
            throw new IllegalArgumentException("input source must be calibration or generated, got " + inputSource);
        }
    }

    /** The report's {@code verification} object. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("samples", samples);
        m.put("inputs", inputSource);
        m.put("sqnrDb", sqnrDb);
        m.put("top1Agreement", top1Agreement);
        m.put("outputs", outputs);
        m.put("onnxRuntimeVersion", onnxRuntimeVersion);
        return m;
    }

    /** E.g. {@code verified in ONNX Runtime 1.23.2 on 16 calibration samples: SQNR 38.2 dB, top-1 agreement 99.1%}. */
    public String summary() {
        StringBuilder b = new StringBuilder("verified in ONNX Runtime ").append(onnxRuntimeVersion).append(" on ")
                .append(samples).append(' ').append(inputSource).append(samples == 1 ? " sample" : " samples");
        String sep = ": ";
        if (sqnrDb != null) {
            b.append(sep).append(sqnrDb >= IDENTICAL_SQNR_DB ? "outputs identical"
                    : String.format(Locale.ROOT, "SQNR %.1f dB", sqnrDb));
            sep = ", ";
        }
        if (top1Agreement != null) {
            b.append(sep).append(String.format(Locale.ROOT, "top-1 agreement %.1f%%", 100 * top1Agreement));
        }
        return b.toString();
    }
}
