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
     * {@code -log softmax(scores)[target]}, computed as {@code logsumexp - score[target]} with the maximum
     * subtracted first, so large logits neither overflow exp nor lose the small terms.
     */
    static double crossEntropy(float[] scores, int offset, int length, int target) {
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
        return max + Math.log(sum) - scores[offset + target];
    }
}
