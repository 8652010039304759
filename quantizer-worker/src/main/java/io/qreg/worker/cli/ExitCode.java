package io.qreg.worker.cli;

/** Process exit codes, documented in {@code help}; scripts branch on them. */
public final class ExitCode {

    public static final int OK = 0;
    /** A bug or an environment failure (native library, I/O error) rather than anything the caller passed. */
    public static final int INTERNAL_FAILURE = 1;
    /** Unknown option, missing file, shape or dtype mismatch, not an ONNX model: the caller can fix it. */
    public static final int BAD_USAGE = 2;

    private ExitCode() {
    }
}
