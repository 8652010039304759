package io.qreg.engine.quant;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The effective precision of a written model: how many weight-bearing layers, and how many weight
 * parameters, are stored at each {@link WeightPrecision}, and the bits the weights take per parameter
 * (scales and zero points included). Read from the graph as written ({@link WrittenLayers}), never from
 * what a pass meant to do.
 */
public record PrecisionMix(Map<WeightPrecision, Long> layers, Map<WeightPrecision, Long> parameters,
        long storedBits) {

    public PrecisionMix {
        layers = complete(layers);
        parameters = complete(parameters);
    }

    public static PrecisionMix of(List<WrittenLayer> written) {
        Map<WeightPrecision, Long> layers = new EnumMap<>(WeightPrecision.class);
        Map<WeightPrecision, Long> parameters = new EnumMap<>(WeightPrecision.class);
        long bits = 0;
        for (WrittenLayer layer : written) {
            layers.merge(layer.precision(), 1L, Long::sum);
            parameters.merge(layer.precision(), layer.parameters(), Long::sum);
            bits += layer.storedBits();
        }
        return new PrecisionMix(layers, parameters, bits);
    }

    public long totalLayers() {
        return layers.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalParameters() {
        return parameters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Layers stored below float32 (int4, int8 or fp16). */
    public long quantizedLayers() {
        return layers.entrySet().stream().filter(e -> e.getKey().quantized()).mapToLong(Map.Entry::getValue).sum();
    }

    /** Stored bits of every layer's weights, scales and zero points over the weight parameters; 0 without any. */
    public double bitsPerWeight() {
        long total = totalParameters();
        return total == 0 ? 0 : (double) storedBits / total;
    }

    /**
     * Weight parameters {@code method} left in float ({@link WeightPrecision#keptInFloatBy}) over all weight
     * parameters; 0 without any.
     */
    public double floatParameterShare(Method method) {
        long total = totalParameters();
        long kept = parameters.entrySet().stream().filter(e -> e.getKey().keptInFloatBy(method))
                .mapToLong(Map.Entry::getValue).sum();
        return total == 0 ? 0 : (double) kept / total;
    }

    /** For people: {@code 92% of weights kept in float}; a share too small to round to 1% reads {@code <1%}. */
    public String floatShareLabel(Method method) {
        double share = floatParameterShare(method);
        String percent = share > 0 && share < 0.005 ? "<1" : String.format(Locale.ROOT, "%.0f", 100 * share);
        return percent + "% of weights kept in float";
    }

    /** For people: {@code int8-static · 3 of 5 layers · 9.8 bits/weight}. */
    public String label(Method method) {
        return String.format(Locale.ROOT, "%s · %d of %d layers · %.1f bits/weight", method.wireName(),
                quantizedLayers(), totalLayers(), bitsPerWeight());
    }

    /** The report's {@code precisionMix}: plain maps and numbers. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", counts(layers, totalLayers()));
        m.put("parameters", counts(parameters, totalParameters()));
        m.put("quantizedLayers", quantizedLayers());
        m.put("bitsPerWeight", Math.round(bitsPerWeight() * 1000) / 1000.0);
        return m;
    }

    private static Map<String, Object> counts(Map<WeightPrecision, Long> byPrecision, long total) {
        Map<String, Object> m = new LinkedHashMap<>();
        byPrecision.forEach((precision, n) -> m.put(precision.wireName(), n));
        m.put("total", total);
        return m;
    }

    private static Map<WeightPrecision, Long> complete(Map<WeightPrecision, Long> counts) {
        Map<WeightPrecision, Long> all = new EnumMap<>(WeightPrecision.class);
        for (WeightPrecision p : WeightPrecision.values()) {
            all.put(p, counts.getOrDefault(p, 0L));
        }
        return java.util.Collections.unmodifiableMap(all);
    }
}
