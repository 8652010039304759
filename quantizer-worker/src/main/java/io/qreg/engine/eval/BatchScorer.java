package io.qreg.engine.eval;

/** Turns the outputs of each batch into the figures of one task, and those into a result at the end. */
interface BatchScorer {

    /**
     * One batch: samples {@code start .. start+count-1}; {@code reference} is null without a reference model and
     * otherwise has the shape of {@code out}.
     */
    void score(int start, int count, float[] out, float[] reference, long[] shape, String outputName);

    EvaluationResult result(String model, String reference, String outputName);
}
