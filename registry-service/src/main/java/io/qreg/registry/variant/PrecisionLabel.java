package io.qreg.registry.variant;

import java.util.Locale;
import java.util.Map;

/**
 * A variant's effective precision in words, the one place it is formatted: the method, then the
 * share of layers the engine actually stored below float32 and the bits each weight takes, as the
 * engine's {@code precisionMix} reports them, e.g. {@code int8-static · 3 of 5 layers · 9.8 bits/weight}.
 * A method alone says what was asked; the mix says what the file holds.
 */
public final class PrecisionLabel {

    /** Between the method and the mix; the portal puts what follows it on a smaller second line. */
    public static final String SEPARATOR = " · ";

    private PrecisionLabel() {
    }

    /** The report's {@code precisionMix}, or null when the report has none (variants of older engines). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> mixOf(Object report) {
        return report instanceof Map<?, ?> r && r.get("precisionMix") instanceof Map<?, ?> mix
                ? (Map<String, Object>) mix : null;
    }

    /** The label; just the method when there is no (readable) mix. */
    public static String of(String method, Map<String, Object> mix) {
        Number quantized = mix == null ? null : number(mix, "quantizedLayers");
        Number total = mix != null && mix.get("layers") instanceof Map<?, ?> layers ? number(layers, "total") : null;
        Number bits = mix == null ? null : number(mix, "bitsPerWeight");
        if (quantized == null || total == null || bits == null) {
            return method;
        }
        return String.format(Locale.ROOT, "%s%s%d of %d layers%s%.1f bits/weight", method, SEPARATOR,
                quantized.longValue(), total.longValue(), SEPARATOR, bits.doubleValue());
    }

    /** The mix's bits per weight, or null without a mix. */
    public static Double bitsPerWeight(Map<String, Object> mix) {
        Number bits = mix == null ? null : number(mix, "bitsPerWeight");
        return bits == null ? null : bits.doubleValue();
    }

    private static Number number(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? n : null;
    }
}
