package io.qreg.worker.daemon;

import java.io.PrintStream;
import java.time.Instant;

/**
 * Where a worker daemon's one-line events go ("registered ...", "claimed job ...", "result posted ..."). A
 * standalone worker prints them to a stream; a worker embedded in another program hands them to that program's
 * logging, so they look like the rest of its log.
 */
@FunctionalInterface
public interface WorkerLog {

    /**
     * @param workerName the daemon's display name ({@link WorkerConfig#name()})
     * @param message    the event, one line, no trailing newline
     */
    void event(String workerName, String message);

    /** Lines such as {@code 2026-01-31T12:00:00Z qreg-worker[gpu-1] claimed job ...} on {@code out}. */
    static WorkerLog printingTo(PrintStream out) {
        return (workerName, message) -> out.println(Instant.now() + " qreg-worker[" + workerName + "] " + message);
    }
}
