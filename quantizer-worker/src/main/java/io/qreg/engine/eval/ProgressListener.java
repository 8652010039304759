package io.qreg.engine.eval;

/** Told how far a long loop has got, so that a CLI can draw a progress bar or a worker report job progress. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (done, total) -> { };

    /** {@code done} of {@code total} units (samples, iterations) are finished; called from the working thread. */
    void progress(long done, long total);

    /** Called once when the loop is over, successful or not, so a display can clear itself. */
    default void finish() {
    }
}
