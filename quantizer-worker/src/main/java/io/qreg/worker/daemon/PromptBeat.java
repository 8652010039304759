package io.qreg.worker.daemon;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An extra heartbeat, between the regular ones, when a job reported progress a person watches move (a download's
 * bytes, {@link JobControl#reportPromptly}): the registry hears it within {@link #INTERVAL} instead of up to a whole
 * heartbeat interval (10 s by default) later. Nothing is sent while no such report comes, so the engine's phases
 * keep the regular cadence and the job's history is not flooded.
 */
final class PromptBeat {

    static final Duration INTERVAL = Duration.ofSeconds(1);

    private PromptBeat() {
    }

    static ScheduledFuture<?> schedule(ScheduledExecutorService executor, JobControl control, Runnable heartbeat) {
        return executor.scheduleWithFixedDelay(() -> {
            if (control.takePromptReport()) {
                heartbeat.run();
            }
        }, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
}
