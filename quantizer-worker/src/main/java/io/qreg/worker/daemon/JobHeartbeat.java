package io.qreg.worker.daemon;

import io.qreg.worker.protocol.HeartbeatReply;
import io.qreg.worker.protocol.JobAssignment;
import java.io.IOException;
import java.util.function.Consumer;

/** Renews a job's lease, carries its progress, and turns the registry's answer into a stop when needed. */
final class JobHeartbeat implements Runnable {
    private final RegistryClient client;
    private final JobAssignment job;
    private final JobControl control;
    private final Registration registration;
    private final Consumer<String> log;
    private long lastLoggedPercent = -1;

    JobHeartbeat(RegistryClient client, JobAssignment job, JobControl control, Registration registration,
            Consumer<String> log) {
        this.client = client;
        this.job = job;
        this.control = control;
        this.registration = registration;
        this.log = log;
    }

    @Override
    public synchronized void run() {
        if (control.stopped()) {
            return;
        }
        double progress = control.progress();
        String message = control.message();
        try {
            HeartbeatReply reply = client.heartbeat(job.id(), registration.workerId(), job.attempt(), progress,
                    message);
            long percent = Math.round(progress * 100);
            if (percent != lastLoggedPercent) {
                lastLoggedPercent = percent;
                log.accept("job " + job.id() + " progress " + percent + "% (" + message + ")");
            }
            if (reply.cancelRequested()) {
                log.accept("cancel requested for job " + job.id() + ": stopping it");
                control.stop(JobControl.StopReason.CANCEL_REQUESTED);
            }
        } catch (LeaseLostException e) {
            log.accept("lease lost on job " + job.id() + " (" + e.getMessage() + "): stopping at once");
            control.stop(JobControl.StopReason.LEASE_LOST);
        } catch (IOException | RuntimeException e) {
            log.accept("heartbeat for job " + job.id() + " failed: " + WorkerDaemon.describe(e)
                    + "; retrying at the next beat");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
