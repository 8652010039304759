package io.qreg.engine.eval;

/**
 * How to run an evaluation.
 *
 * @param batchSize      samples per ONNX Runtime call; bounds memory (outputs of one batch at a time)
 * @param intraOpThreads threads per operator, 0 for ONNX Runtime's default (one per physical core)
 */
public record EvaluationOptions(int batchSize, int intraOpThreads) {

    public static final int DEFAULT_BATCH_SIZE = 32;

    public EvaluationOptions {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("thread count must be 0 (default) or positive, got " + intraOpThreads);
        }
    }

    public static EvaluationOptions defaults() {
        return new EvaluationOptions(DEFAULT_BATCH_SIZE, 0);
    }
}
