package io.qreg.engine.eval;

/**
 * How often the model's prediction differs from the reference's on the samples of one class.
 *
 * @param classId  the samples' true class, or the reference's predicted class for a sample without a label
 * @param samples  samples of that class
 * @param flips    of those, samples whose predicted class differs from the reference's
 */
public record ClassFlips(long classId, long samples, long flips) {

    /** {@code flips / samples}. */
    public double flipRate() {
        return samples == 0 ? Double.NaN : (double) flips / samples;
    }
}
