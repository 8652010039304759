package io.qreg.engine.sensitivity;

/**
 * How far a model's outputs are from the reference's, as the two sums both figures are built from.
 *
 * @param signal Σref² over every element of every compared output
 * @param noise Σ(ref−out)²; infinite if the model produced a NaN or infinity where the reference did not
 */
public record OutputError(double signal, double noise) {

    /**
     * What a layer report shows for bit-identical outputs (noise 0, SQNR +∞): far above anything float32
     * rounding can produce (~140 dB), and a finite number JSON can carry.
     */
    public static final double IDENTICAL_SQNR_DB = 200.0;

    /** {@code 10·log10(signal / noise)}; +∞ when identical, −∞ when the output broke (NaN/∞). */
    public double sqnrDb() {
        return 10 * Math.log10(signal / noise);
    }

    /** {@code sqrt(noise / signal)}: the error as a fraction of the reference's magnitude. */
    public double relativeError() {
        return Math.sqrt(noise / signal);
    }

    /** {@link #sqnrDb()} clamped to ±{@link #IDENTICAL_SQNR_DB}, for reports. */
    public double reportableSqnrDb() {
        return Math.max(-IDENTICAL_SQNR_DB, Math.min(IDENTICAL_SQNR_DB, sqnrDb()));
    }
}
