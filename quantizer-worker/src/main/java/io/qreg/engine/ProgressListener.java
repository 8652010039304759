package io.qreg.engine;

/**
 * Told how far a long loop has got (calibration batches, nodes of a pass, evaluation samples,
 * benchmark rounds), so a CLI can draw a progress bar and a worker can report job progress.
 */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (stage, done, total) -> { };

    /** {@code done} of {@code total} units of {@code stage} are finished; called from the working thread. */
    void progress(String stage, long done, long total);

    /** Called once when the work is over, successful or not, so a display can clear itself. */
    default void finish() {
    }
}
