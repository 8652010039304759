package io.qreg.engine.quant;

import java.util.List;

/**
 * The options that shape how a post-training method quantizes a float model, by recipe field and CLI flags.
 * {@link Method#QAT} takes none of them: a QAT export already fixes every weight's grid and every activation's
 * scale, so each is refused for qat (CLI exit 2 naming the flag, API 400 naming the field) rather than ignored.
 *
 * @param field the recipe field (or job part) name
 * @param flags the quantize command's flags that set it
 */
public enum PostTrainingOption {
    PER_CHANNEL("perChannel", "--per-channel"),
    SYMMETRIC("symmetric", "--symmetric", "--asymmetric"),
    BLOCK_SIZE("blockSize", "--block-size"),
    CALIBRATION_METHOD("calibrationMethod", "--calibration-method"),
    PERCENTILE("percentile", "--percentile"),
    ACCURACY_BUDGET("accuracyBudget", "--accuracy-budget"),
    EXCLUDE_NODES("excludeNodes", "--exclude-nodes"),
    EXCLUDE_OP_TYPES("excludeOpTypes", "--exclude-op-types"),
    CALIBRATION("calibrationDataset", "--calibration"),
    MASK_GUARD("maskGuard", "--no-mask-guard");

    private final String field;
    private final List<String> flags;

    PostTrainingOption(String field, String... flags) {
        this.field = field;
        this.flags = List.of(flags);
    }

    public String field() {
        return field;
    }

    public List<String> flags() {
        return flags;
    }

    /** The refusal, e.g. {@code perChannel does not apply to qat: ...}, naming the field or flag given. */
    public static String refusal(String name) {
        return name + " does not apply to qat: a QAT export already fixes every weight's grid and every"
                + " activation's scale, which the import keeps as trained";
    }
}
