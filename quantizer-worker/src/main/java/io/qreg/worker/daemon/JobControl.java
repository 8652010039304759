package io.qreg.worker.daemon;

import io.qreg.engine.ProgressListener;

import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shared between a running job and the thread that heartbeats for it: progress flows to the heartbeat, a stop
 * (cancel requested, lease lost, shutdown past its grace) flows back. The engine cannot be interrupted, so a
 * stop takes effect at its next progress callback, which throws {@link Stopped}.
 */
public final class JobControl {

    /** Why a job was told to stop. */
    public enum StopReason { CANCEL_REQUESTED, LEASE_LOST, SHUTDOWN }

    /** Thrown into the engine from a progress callback once the job must stop. */
    public static final class Stopped extends CancellationException {
        Stopped(StopReason reason) {
            super("job stopped: " + reason);
        }
    }

    private volatile StopReason stopReason;
    private volatile double progress;
    private volatile String message = "starting";
    private volatile Thread worker;
    private final AtomicBoolean prompt = new AtomicBoolean();

    public void stop(StopReason reason) {
        if (stopReason == null) {
            stopReason = reason;
        }
        Thread t = worker;
        if (t != null) {
            t.interrupt(); // ends a download in progress; the engine notices at its next progress call
        }
    }

    public StopReason stopReason() {
        return stopReason;
    }

    public boolean stopped() {
        return stopReason != null;
    }

    /** Throws {@link Stopped} once the job must stop. */
    public void checkpoint() {
        StopReason reason = stopReason;
        if (reason != null) {
            throw new Stopped(reason);
        }
    }

    public double progress() {
        return progress;
    }

    public String message() {
        return message;
    }

    /** Sets the overall progress (never backwards) and the message the next heartbeat carries. */
    public void report(double fraction, String message) {
        double clamped = Math.max(0, Math.min(1, fraction));
        if (clamped > progress) {
            progress = clamped;
        }
        this.message = message;
    }

    /**
     * As {@link #report}, for progress a person watches move (a download's bytes): the daemon sends it within
     * {@link PromptBeat#INTERVAL} instead of waiting up to a whole heartbeat interval (10 s by default).
     */
    public void reportPromptly(double fraction, String message) {
        report(fraction, message);
        prompt.set(true);
    }

    /** Whether a prompt report came since the last call, which clears it. */
    boolean takePromptReport() {
        return prompt.getAndSet(false);
    }

    void bindWorker(Thread thread) {
        this.worker = thread;
    }

    /**
     * A listener for one phase spanning {@code [from, to]} of the job's progress. The engine reports stages one
     * after another without saying how many will come, so stage i of the phase gets the slice between
     * {@code 1 - 2^-i} and {@code 1 - 2^-(i+1)} of the phase: progress never runs backwards and never reaches
     * the end before the phase does.
     */
    public ProgressListener phase(double from, double to) {
        return new ProgressListener() {
            private String stage;
            private int index = -1;

            @Override
            public void progress(String name, long done, long total) {
                checkpoint();
                if (!name.equals(stage)) {
                    stage = name;
                    index++;
                }
                double fraction = total > 0 ? Math.min(1, (double) done / total) : 0;
                double start = 1 - Math.pow(0.5, index);
                double end = 1 - Math.pow(0.5, index + 1);
                double within = start + (end - start) * fraction;
                report(from + (to - from) * within, name + " " + done + "/" + total);
            }
        };
    }
}
