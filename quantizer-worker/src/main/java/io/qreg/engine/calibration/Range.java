package io.qreg.engine.calibration;

/** The real-valued interval a tensor is quantized over. */
public record Range(float min, float max) {

    public Range {
        if (Float.isNaN(min) || Float.isNaN(max) || min > max) {
            throw new IllegalArgumentException("invalid range [" + min + ", " + max + "]");
        }
    }

    /** The larger magnitude of the two ends. */
    public float maxAbs() {
        return Math.max(Math.abs(min), Math.abs(max));
    }
}
