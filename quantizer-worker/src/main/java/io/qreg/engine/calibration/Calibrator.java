package io.qreg.engine.calibration;

/**
 * Estimates the range one tensor should be quantized over from the values it takes on the
 * calibration set, seen batch by batch. Implementations keep bounded state (a min/max or a
 * fixed-size histogram), never the values themselves.
 */
public interface Calibrator extends TensorObserver {

    /** Accounts for one batch of the tensor's values (any shape, flattened). NaNs are ignored. */
    @Override
    void observe(float[] values);

    /**
     * The range to quantize over; always contains 0, since quantized zero must be exact (padding,
     * Relu).
     *
     * @throws IllegalStateException if no value was observed
     */
    Range range();
}
