package io.qreg.engine.model;

/**
 * How {@link OnnxModel#save(java.nio.file.Path, SaveOptions)} decides which initializers go to an
 * external data file.
 *
 * @param externalDataThreshold when the model's top-level initializers together exceed this many bytes,
 *     initializers of at least {@code minExternalTensorBytes} are written to {@code <name>.data}; a
 *     single protobuf message cannot exceed 2 GiB, so the default leaves headroom below it
 * @param minExternalTensorBytes smaller initializers stay inline, where they cost no seek (as in the
 *     ONNX Python tools, whose default is 1 KiB)
 */
public record SaveOptions(long externalDataThreshold, long minExternalTensorBytes) {

    /** 1.5 GiB. */
    public static final long DEFAULT_EXTERNAL_DATA_THRESHOLD = 3L << 29;
    public static final long DEFAULT_MIN_EXTERNAL_TENSOR_BYTES = 1024;

    public SaveOptions {
        if (externalDataThreshold < 0 || minExternalTensorBytes < 0) {
            throw new IllegalArgumentException("thresholds must not be negative: " + externalDataThreshold
                    + ", " + minExternalTensorBytes);
        }
    }

    public static SaveOptions defaults() {
        return new SaveOptions(DEFAULT_EXTERNAL_DATA_THRESHOLD, DEFAULT_MIN_EXTERNAL_TENSOR_BYTES);
    }

    public SaveOptions withExternalDataThreshold(long bytes) {
        return new SaveOptions(bytes, minExternalTensorBytes);
    }

    public SaveOptions withMinExternalTensorBytes(long bytes) {
        return new SaveOptions(externalDataThreshold, bytes);
    }
}
