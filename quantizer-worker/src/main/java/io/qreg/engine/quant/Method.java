package io.qreg.engine.quant;

import java.util.Arrays;
import java.util.List;

/**
 * The quantization methods, by the names the CLI, recipes and reports use. The one list of methods: the
 * registry validates recipes, offers methods in the portal and ranks precisions from it.
 */
public enum Method {
    INT8_DYNAMIC("int8-dynamic", 8),
    INT8_STATIC("int8-static", 8),
    INT4_WEIGHT("int4-weight", 4),
    INT8_WEIGHT("int8-weight", 8),
    FP16("fp16", 16),
    /**
     * Imports a quantization-aware-trained model: its trained scales are kept, nothing is re-quantized. A QAT
     * export may hold 8-bit or 4-bit weights (or both), so its {@link #bits()} is the narrowest it can store,
     * 4: rules keyed on bits (a RISK_OFFICER sign-off for 4-bit variants) then err on the cautious side, and
     * the variant's precision mix, read off the written file, says what it really stores.
     */
    QAT("qat", 4);

    private final String wireName;
    private final int bits;

    Method(String wireName, int bits) {
        this.wireName = wireName;
        this.bits = bits;
    }

    public String wireName() {
        return wireName;
    }

    /** Bits per weight element after quantization: the narrowest precision the method can leave. */
    public int bits() {
        return bits;
    }

    /** int4-weight and int8-weight: granularity set by a block size rather than per tensor or channel. */
    public boolean isBlockWise() {
        return this == INT4_WEIGHT || this == INT8_WEIGHT;
    }

    /** Whether the method quantizes a float model itself (post-training), as opposed to importing {@link #QAT}. */
    public boolean isPostTraining() {
        return this != QAT;
    }

    /** Every wire name, in declaration order: for messages, usage text and form options. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(Method::wireName).toList();
    }

    /** The wire names as a sentence, e.g. {@code int8-dynamic, int8-static, ... or qat}. */
    public static String wireNamesSentence() {
        List<String> names = wireNames();
        return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    }

    public static Method parse(String value) {
        return Arrays.stream(values()).filter(m -> m.wireName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown method '" + value + "'; use one of "
                        + wireNames()));
    }
}
