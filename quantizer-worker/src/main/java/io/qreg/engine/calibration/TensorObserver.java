package io.qreg.engine.calibration;

/**
 * Sees one tensor's values on the calibration set, batch by batch, keeping bounded state of its own: what
 * {@link CalibrationRunner} feeds. Range calibrators are one kind; statistics of a layer's inputs are another.
 */
public interface TensorObserver {

    /** Accounts for one batch of the tensor's values (any shape, flattened row-major). */
    void observe(float[] values);
}
