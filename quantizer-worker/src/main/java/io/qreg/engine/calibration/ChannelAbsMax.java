package io.qreg.engine.calibration;

/**
 * The largest |x| of each channel on a tensor's last axis, over every batch: what SmoothQuant balances
 * against the weights. Keeps one float per channel, whatever the number of samples or tokens.
 */
public final class ChannelAbsMax implements Calibrator {

    private final float[] maxima;
    private boolean observed;

    /** @param channels the size of the tensor's last axis */
    public ChannelAbsMax(int channels) {
        if (channels < 1) {
            throw new IllegalArgumentException("a tensor has at least one channel, got " + channels);
        }
        this.maxima = new float[channels];
    }

    @Override
    public void observe(float[] values) {
        int channels = maxima.length;
        if (values.length % channels != 0) {
            throw new IllegalStateException(values.length + " values do not split into channels of a last axis of "
                    + channels);
        }
        for (int i = 0; i < values.length; i++) {
            float v = Math.abs(values[i]);
            int c = i % channels;
            if (v > maxima[c]) { // false for NaN: NaNs are ignored
                maxima[c] = v;
            }
        }
        observed |= values.length > 0;
    }

    /** A copy of the per-channel maxima of |x|. */
    public float[] maxima() {
        if (!observed) {
            throw new IllegalStateException("no value was observed");
        }
        return maxima.clone();
    }

    /** The symmetric range over every channel. */
    @Override
    public Range range() {
        float max = 0;
        for (float m : maxima()) {
            max = Math.max(max, m);
        }
        return new Range(-max, max);
    }
}
