package io.qreg.engine.eval;

/**
 * The figures of one scored row (a sample for a classifier, a token position for a language model). Reference
 * fields are meaningless (-1 or 0) without a reference; {@code klDivergence} and {@code deltaP} are NaN where
 * they are not computed (no reference, no label, or a classification task).
 *
 * @param label                 target class or token, negative when the position carries none
 * @param predicted             the model's argmax
 * @param crossEntropy          {@code -log p_model(label)} (language models with a label; else 0)
 * @param confidence            the model's largest softmax probability (classification; a language model's
 *                              labelled positions when compared with a reference; else NaN)
 * @param referencePredicted    the reference's argmax
 * @param referenceCrossEntropy {@code -log p_reference(label)}
 * @param referenceConfidence   the reference's largest softmax probability
 * @param referenceSquares      sum of squared reference scores (SQNR signal)
 * @param errorSquares          sum of squared score differences (SQNR noise)
 * @param maxAbsError           largest absolute score difference
 * @param klDivergence          KL(reference || model) of the two softmax distributions
 * @param deltaP                {@code p_model(label) - p_reference(label)}
 */
record PositionScore(long label, int predicted, double crossEntropy, double confidence, int referencePredicted,
                     double referenceCrossEntropy, double referenceConfidence, double referenceSquares,
                     double errorSquares, double maxAbsError, double klDivergence, double deltaP) {
}
