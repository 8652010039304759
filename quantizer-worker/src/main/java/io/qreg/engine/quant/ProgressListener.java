package io.qreg.engine.quant;

/** Where long passes report how far they are (a CLI progress bar, a worker's job heartbeat). */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (stage, done, total) -> { };

    /** {@code done} of {@code total} units of {@code stage} are finished. */
    void progress(String stage, long done, long total);
}
