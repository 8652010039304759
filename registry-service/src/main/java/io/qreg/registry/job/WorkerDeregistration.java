package io.qreg.registry.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.Timestamps;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * {@code POST /api/v1/workers/{workerId}/deregister}: a worker that stops says so after its last result. Its id
 * gets no job after that (claims and heartbeats answer 409), and whatever it still ran is taken back at once,
 * re-queued while attempts remain, instead of waiting for the lease to expire.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class WorkerDeregistration {

    private final WorkerService workers;
    private final Jobs store;
    private final JobSignal signal;
    private final JobViews views;
    private final AuditLog audit;

    /** What the deregistration did: when the worker stopped and the jobs it had been running. */
    public record Deregistered(UUID workerId, Instant stoppedAt, List<UUID> releasedJobIds) {
    }

    @Transactional
    public Deregistered deregister(UUID workerId) {
        WorkerService.Stop stop = workers.stop(workerId);
        if (stop.already()) {
            return new Deregistered(workerId, stop.stoppedAt(), List.of());
        }
        Instant now = Timestamps.now();
        List<UUID> released = new ArrayList<>();
        for (Job job : store.lockRunningOn(workerId)) {
            JobView before = views.view(job);
            int attempt = job.attempts();
            boolean requeued = job.workerStopped(now);
            store.update(job);
            store.log(job.id(), attempt, requeued ? JobLogEntry.Level.WARN : JobLogEntry.Level.ERROR,
                    "worker " + workerId + " deregistered during attempt " + attempt + "; "
                            + (requeued ? "re-queued" : "now " + job.status()), now);
            audit.record(requeued ? "job.requeued" : "job.finished", "job", job.id().toString(), before,
                    views.view(job), Map.of("reason", "worker deregistered", "workerId", workerId.toString(),
                            "attempt", attempt, "status", job.status().name()));
            released.add(job.id());
        }
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("stoppedAt", stop.stoppedAt());
        audit.record("worker.deregistered", "worker", workerId.toString(), null, after,
                Map.of("releasedJobIds", released.stream().map(UUID::toString).toList()));
        // Wakes this instance's waiting claims: the worker's own give up, others find the re-queued jobs.
        signal.signalAfterCommit();
        return new Deregistered(workerId, stop.stoppedAt(), released);
    }
}
