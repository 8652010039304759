package io.qreg.engine.eval;

import java.util.List;

/**
 * How a gateway trades traffic for fidelity when it re-sends the variant's least confident answers to a more precise
 * backend (the reference): the selective-routing curve, a risk-coverage curve in the sense of Geifman and El-Yaniv,
 * "Selective Classification for Deep Neural Networks" (NeurIPS 2017), with the reference's answer as the ground
 * truth. A position is re-sent when the variant's confidence is at or below the threshold; coverage (what the
 * variant still answers) is {@code 1 - traffic}, and the selective risk left is
 * {@code disagreements * (1 - recovery) / (positions * (1 - traffic))}.
 *
 * <p>The points sit at the confidence quantiles ({@link SelectiveRoutingAccumulator}): the first has threshold 0
 * (nothing above the rows the variant could not score is re-sent), each next one re-sends at least one percent more
 * of the positions, the last re-sends everything; points whose threshold equals the previous one are merged, so there
 * are at most 101. Traffic and recovery are counted exactly at each threshold, ties included.
 *
 * @param confidence    what the threshold is compared with: {@value #MAX_SOFTMAX_PROBABILITY} (a classifier's
 *                      largest softmax probability) or {@value #TOP_TOKEN_PROBABILITY} (a language model's
 *                      probability of its most likely next token)
 * @param positions     scored positions: samples for a classifier, labelled token positions for a language model
 * @param disagreements of those, positions whose top-1 answer differs from the reference's
 * @param points        thresholds ascending, with traffic and recovery non-decreasing
 */
public record SelectiveRoutingCurve(String confidence, long positions, long disagreements, List<Point> points) {

    public static final String MAX_SOFTMAX_PROBABILITY = "maxSoftmaxProbability";
    public static final String TOP_TOKEN_PROBABILITY = "topTokenProbability";

    public SelectiveRoutingCurve {
        points = List.copyOf(points);
    }

    /**
     * One operating point.
     *
     * @param threshold a probability in [0, 1]: re-send when the variant's confidence is at or below it
     * @param traffic   share of positions re-sent to the more precise backend
     * @param recovery  share of the disagreements with the reference among them (1 when there are none to recover)
     */
    public record Point(double threshold, double traffic, double recovery) {
    }
}
