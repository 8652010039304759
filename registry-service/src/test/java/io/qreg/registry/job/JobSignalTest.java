package io.qreg.registry.job;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobSignalTest {

    @Test
    void releasingEndsAWaitingClaimAtOnceAndEveryLaterWait() throws Exception {
        JobSignal signal = new JobSignal();
        long seen = signal.generation();
        Thread releaser = new Thread(() -> {
            sleep(200);
            signal.release();
        });
        long started = System.nanoTime();
        releaser.start();
        signal.await(seen, 30_000);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(signal.released()).isTrue();

        started = System.nanoTime();
        signal.await(seen, 30_000);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        releaser.join();
    }

    @Test
    void anUnreleasedWaitLastsItsTime() throws Exception {
        JobSignal signal = new JobSignal();
        long started = System.nanoTime();
        signal.await(signal.generation(), 300);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(290));
        assertThat(signal.released()).isFalse();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
