package io.qreg.registry.job;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.qreg.registry.support.AfterCommit;

import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Wakes claims waiting in this instance when a job becomes claimable here (queued, re-queued). A
 * generation counter means a signal sent between a waiter's failed claim and its wait is not lost.
 * Jobs queued by another registry instance are found by the waiters' periodic re-try instead.
 *
 * <p>When the application closes, waiting claims are released at once: the web server's graceful shutdown
 * waits for every open request, and a long poll would otherwise hold it for up to its whole wait (30 s).
 */
@Component
class JobSignal {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation;
    private boolean released;

    long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    void signal() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Signals once the current transaction commits (a waiter woken earlier would not see the job yet), or now
     * when there is none.
     */
    void signalAfterCommit() {
        AfterCommit.run(this::signal);
    }

    /** Before the web server's graceful shutdown (the context's close event comes first): no claim waits again. */
    @EventListener(ContextClosedEvent.class)
    void release() {
        lock.lock();
        try {
            released = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether the application is closing, so a claim should answer now rather than wait. */
    boolean released() {
        lock.lock();
        try {
            return released;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the generation moves past {@code seen}, the time is up or the signal is released; returns the
     * current generation.
     */
    long await(long seen, long millis) throws InterruptedException {
        long nanos = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            while (generation == seen && nanos > 0 && !released) {
                nanos = changed.awaitNanos(nanos);
            }
            return generation;
        } finally {
            lock.unlock();
        }
    }
}
