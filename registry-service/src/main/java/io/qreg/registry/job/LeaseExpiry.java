package io.qreg.registry.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.Timestamps;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import lombok.RequiredArgsConstructor;

/** Takes RUNNING jobs back from workers that went silent: re-queued while attempts remain, else FAILED. */
@Component
@RequiredArgsConstructor
class LeaseExpiry {

    private final Jobs store;
    private final JobSignal signal;
    private final JobViews views;
    private final AuditLog audit;
    private final TransactionTemplate transaction;

    /** Re-queues (or fails, after maxAttempts) every RUNNING job whose lease expired; returns how many. */
    int expireLeases() {
        Integer swept = transaction.execute(tx -> {
            Instant now = Timestamps.now();
            List<Job> expired = store.lockExpired(now, 100);
            boolean requeued = false;
            for (Job job : expired) {
                JobView before = views.view(job);
                UUID worker = job.workerId();
                boolean back = job.leaseExpired(now);
                requeued |= back;
                store.update(job);
                store.log(job.id(), job.attempts(), back ? JobLogEntry.Level.WARN : JobLogEntry.Level.ERROR,
                        "lease of attempt " + job.attempts() + " expired (worker " + worker + " stopped sending"
                                + " heartbeats); " + (back ? "re-queued" : "now " + job.status()), now);
                audit.recordAs("system", back ? "job.requeued" : "job.finished", "job", job.id().toString(), before,
                        views.view(job), Map.of("reason", "lease expired", "workerId", String.valueOf(worker),
                                "attempt", job.attempts(), "status", job.status().name()));
            }
            if (requeued) {
                signal.signalAfterCommit();
            }
            return expired.size();
        });
        return swept == null ? 0 : swept;
    }
}
