package io.qreg.engine.eval;

/** Reductions over one row of scores (the last axis of an output), in double so long rows stay exact enough. */
final class Logits {

    private Logits() {
    }

    /** Index of the largest score, the first one on ties (as numpy's argmax); NaN never wins. */
    static int argmax(float[] scores, int offset, int length) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        boolean found = false;
        for (int i = 0; i < length; i++) {
            float v = scores[offset + i];
            if (!found || v > bestValue) {
                if (!Float.isNaN(v)) {
                    best = i;
                    bestValue = v;
                    found = true;
                }
            }
        }
        return best;
    }

    /**
     * {@code log sum exp(scores)}, with the maximum subtracted first so large logits neither overflow exp nor
     * lose the small terms; NaN when the row has no finite maximum.
     */
    static double logSumExp(float[] scores, int offset, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, scores[offset + i]);
        }
        if (max == Double.NEGATIVE_INFINITY || Double.isNaN(max)) {
            return Double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += Math.exp(scores[offset + i] - max);
        }
        return max + Math.log(sum);
    }

    /** {@code -log softmax(scores)[target]}, computed as {@code logsumexp - score[target]}. */
    static double crossEntropy(float[] scores, int offset, int length, int target) {
        return logSumExp(scores, offset, length) - scores[offset + target];
    }

    /** {@code softmax(scores)[target]}: the probability the row gives one class or token. */
    static double probability(float[] scores, int offset, int length, int target) {
        return Math.exp(-crossEntropy(scores, offset, length, target));
    }

    /** The largest softmax probability of the row: a classifier's confidence in its prediction. */
    static double maxProbability(float[] scores, int offset, int length) {
        return probability(scores, offset, length, argmax(scores, offset, length));
    }

    /**
     * {@code KL(P_reference || P_model) = sum_i p_ref(i) * (log p_ref(i) - log p_model(i))} over the softmax of
     * the two rows, in nats — the direction llama.cpp's perplexity tool uses with {@code --kl-divergence-base}:
     * how much of the reference's distribution the model loses. Terms whose reference probability underflows
     * to 0 contribute nothing (the limit of p log p). Not clamped: rounding can leave a tiny negative value.
     */
    static double klDivergence(float[] reference, float[] model, int offset, int length) {
        double referenceLse = logSumExp(reference, offset, length);
        double modelLse = logSumExp(model, offset, length);
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            double logReference = reference[i] - referenceLse;
            double p = Math.exp(logReference);
            if (p > 0) {
                sum += p * (logReference - (model[i] - modelLse));
            }
        }
        return sum;
    }
}
