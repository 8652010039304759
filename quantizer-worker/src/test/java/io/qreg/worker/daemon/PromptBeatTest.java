package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** A download's bytes reach the registry within a second, not at the next 10 s heartbeat; other progress waits. */
class PromptBeatTest {

    @Test
    void aPromptReportSendsAHeartbeatWithinTheIntervalAndOrdinaryReportsDoNot() throws Exception {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try {
            JobControl control = new JobControl();
            Semaphore beats = new Semaphore(0);
            ScheduledFuture<?> prompting = PromptBeat.schedule(executor, control, beats::release);

            control.report(0.30, "calibrating 3/10");
            assertThat(beats.tryAcquire(PromptBeat.INTERVAL.toMillis() * 2 + 500, TimeUnit.MILLISECONDS))
                    .as("an engine stage waits for the regular heartbeat").isFalse();

            control.reportPromptly(0.31, "downloading checkpoint: 1.0 MB of 4.2 MB");
            assertThat(beats.tryAcquire(PromptBeat.INTERVAL.toMillis() * 2 + 500, TimeUnit.MILLISECONDS))
                    .as("a download's bytes go out at once").isTrue();
            assertThat(beats.tryAcquire(PromptBeat.INTERVAL.toMillis() + 500, TimeUnit.MILLISECONDS))
                    .as("one beat per prompt report, not one per interval").isFalse();
            prompting.cancel(false);
        } finally {
            executor.shutdownNow();
        }
    }
}
