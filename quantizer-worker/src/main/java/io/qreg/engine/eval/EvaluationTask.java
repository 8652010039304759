package io.qreg.engine.eval;

import java.util.Arrays;
import java.util.stream.Collectors;

/** What a model's output means, which decides the metrics computed from it. */
public enum EvaluationTask {
    /** Output {@code [N, classes]}, labels {@code [N]}: accuracy. */
    CLASSIFICATION("classification"),
    /** Output {@code [N, T, vocab]} next-token logits, labels {@code [N, T]}: perplexity and next-token accuracy. */
    LANGUAGE_MODEL("language-model"),
    /**
     * Output {@code [N, D]} vectors, or {@code [N, T, D]} mean-pooled over T; optional labels {@code [N]} name
     * each item's relevant item: cosine similarity and neighbour overlap against a reference, recall@10.
     */
    EMBEDDING("embedding");

    private final String cliName;

    EvaluationTask(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in JSON, as ARCHITECTURE.md spells it. */
    public String cliName() {
        return cliName;
    }

    public static EvaluationTask fromCliName(String name) {
        return Arrays.stream(values())
                .filter(t -> t.cliName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown task '" + name + "'; expected one of "
                        + Arrays.stream(values()).map(EvaluationTask::cliName).collect(Collectors.joining(", "))));
    }
}
