package io.qreg.registry.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.stereotype.Component;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/**
 * Queues the follow-ups a succeeded QUANTIZE job planned on its variant: after a worker's result, and at once when
 * the job reused an identical run's variant. Inside the caller's transaction.
 */
@Component
@RequiredArgsConstructor
class FollowUpJobs {

    private static final TypeReference<List<PlannedFollowUp>> FOLLOW_UPS = new TypeReference<>() {
    };

    private final Jobs store;
    private final JobViews views;
    private final AuditLog audit;

    /** The ids of the jobs queued, in the request's order; none unless the job SUCCEEDED with a variant. */
    List<UUID> queue(Job parent, Instant now) {
        if (parent.type() != JobType.QUANTIZE || parent.variantId() == null || parent.status() != JobStatus.SUCCEEDED) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>();
        Instant created = now;
        for (PlannedFollowUp f : CanonicalJson.mapper().readValue(parent.followUpsJson(), FOLLOW_UPS)) {
            // One microsecond apart: the queue (oldest first) and followUpJobIds keep the request's order.
            created = created.plusNanos(1000);
            Job.Submitted submitted = new Job.Submitted(parent.maxAttempts(), created, parent.createdBy());
            Job child = f.type() == JobType.EVALUATE
                    ? Job.evaluate(parent.checkpointId(), parent.variantId(), f.dataset(), f.target(), parent.id(),
                            submitted)
                    : Job.benchmark(parent.checkpointId(), parent.variantId(), f.target(), parent.id(), submitted);
            store.insert(child);
            store.log(child.id(), 0, JobLogEntry.Level.INFO, "queued as a follow-up of job " + parent.id()
                    + " for hardware target '" + f.target() + "'", created);
            audit.record("job.submitted", "job", child.id().toString(), null, views.view(child),
                    Map.of("type", child.type().name(), "parentJobId", parent.id().toString()));
            ids.add(child.id());
        }
        return ids;
    }
}
