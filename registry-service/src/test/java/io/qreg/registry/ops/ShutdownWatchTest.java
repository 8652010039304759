package io.qreg.registry.ops;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.web.InFlightRequests;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ShutdownWatchTest {

    @Test
    void namesTheStepTheClosingThreadIsWaitingIn() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread closing = new Thread(() -> holdTheShutdown(entered, release), "closing");
        closing.start();
        try {
            assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
            String waitingFor = new ShutdownWatch(new InFlightRequests()).waitingFor(closing);
            assertThat(waitingFor).isEqualTo("no request is open; the shutdown is in ShutdownWatchTest.holdTheShutdown");
        } finally {
            release.countDown();
            closing.join();
        }
    }

    /** Stands for a shutdown step that takes its time, such as a worker's running job. */
    private static void holdTheShutdown(CountDownLatch entered, CountDownLatch release) {
        entered.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
