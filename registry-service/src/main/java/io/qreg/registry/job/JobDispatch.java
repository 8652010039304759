package io.qreg.registry.job;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;
import io.qreg.worker.protocol.AttemptResult;
import io.qreg.worker.protocol.HeartbeatReply;
import io.qreg.worker.protocol.HeartbeatRequest;
import io.qreg.worker.protocol.ProtocolException;
import io.qreg.worker.protocol.ResultStatus;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * The worker protocol: claim, heartbeat and result. Each step is one transaction around the job's row lock (the
 * claim's {@code FOR UPDATE SKIP LOCKED}), so two of them never act on the same job at once and the job's state
 * machine decides each step. A succeeded QUANTIZE job queues its follow-ups in the result's transaction; one
 * identical to an existing variant's run returns that variant ({@link VariantReuse}), and a reproduction records
 * how its bytes compare ({@link Reproductions}).
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class JobDispatch {

    static final long RETRY_MILLIS = 250;

    private final Jobs store;
    private final JobSignal signal;
    private final JobSettings settings;
    private final JobViews views;
    private final JobAssignments assignments;
    private final JobProducts products;
    private final FollowUpJobs followUpJobs;
    private final VariantReuse reuse;
    private final Reproductions reproductions;
    private final WorkerService workers;
    private final AuditLog audit;
    private final TransactionTemplate transaction;

    /**
     * Long-poll claim. Each try is a short transaction; between tries the thread waits on the
     * in-process signal (woken when a job is queued here) for at most {@link #RETRY_MILLIS}, holding
     * no database connection, so jobs queued by another instance are found within that interval. A
     * deregistered worker gets 409; one that deregisters while its claim waits gets no job, and so does every
     * waiting claim once the application closes ({@link JobSignal#release()}); a claim that arrives after that is
     * answered 503, so the worker backs off rather than claiming again at once until the server stops listening.
     */
    public Optional<Map<String, Object>> claim(UUID workerId, Duration wait) throws InterruptedException {
        if (signal.released()) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "this registry instance is shutting down; claim"
                    + " again in a moment (another instance, if there is one, answers)");
        }
        WorkerService.WorkerRef worker = workers.require(workerId);
        workers.touch(workerId);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean firstTry = true;
        while (true) {
            long seen = signal.generation();
            Optional<Map<String, Object>> claimed;
            try {
                claimed = transaction.execute(tx -> tryClaim(worker));
            } catch (WorkerDeregisteredException e) {
                if (firstTry) {
                    throw e;
                }
                return Optional.empty();
            }
            if (claimed.isPresent()) {
                return claimed;
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0 || signal.released()) {
                return Optional.empty();
            }
            firstTry = false;
            signal.await(seen, Math.min(RETRY_MILLIS, remainingMillis));
        }
    }

    private Optional<Map<String, Object>> tryClaim(WorkerService.WorkerRef worker) {
        store.commitWithoutWaitingForDisk();
        workers.requireActive(worker.id());
        Optional<Job> next = store.lockNextFor(worker.flags(), worker.labelsJson());
        if (next.isEmpty()) {
            return Optional.empty();
        }
        Job job = next.get();
        Instant now = Timestamps.now();
        job.claim(worker.id(), now, now.plusSeconds(settings.leaseSeconds()));
        store.update(job);
        store.log(job.id(), job.attempts(), JobLogEntry.Level.INFO, "attempt " + job.attempts() + " of "
                + job.maxAttempts() + " claimed by worker " + worker.id(), now);
        Map<String, Object> assignment = assignments.of(job).toJson();
        // Last, because the audit chain's lock is held from here to the commit: every claim waits on it.
        audit.record("job.claimed", "job", job.id().toString(), null, null,
                Map.of("workerId", worker.id().toString(), "attempt", job.attempts()));
        return Optional.of(assignment);
    }

    public HeartbeatReply heartbeat(UUID jobId, HeartbeatRequest h) {
        if (h == null || h.workerId() == null) {
            throw ApiException.invalid("workerId", "workerId is required");
        }
        UUID workerId = heartbeatWorkerId(h.workerId());
        if (h.attempt() == null) {
            throw ApiException.invalid("attempt", "attempt is required (the attempt number the claim returned)");
        }
        if (h.progress() != null && (h.progress().isNaN() || h.progress() < 0 || h.progress() > 1)) {
            throw ApiException.invalid("progress", "progress is a fraction between 0 and 1, got " + h.progress());
        }
        workers.require(workerId);
        HeartbeatReply reply = transaction.execute(tx -> {
            store.commitWithoutWaitingForDisk();
            workers.requireActive(workerId);
            Job job = store.lock(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
            requireOwner(job, workerId, h.attempt());
            Instant now = Timestamps.now();
            String previous = job.message();
            job.heartbeat(h.progress() == null ? job.progress() : h.progress(), h.message(),
                    now.plusSeconds(settings.leaseSeconds()));
            store.update(job);
            // Only a new message is history; repeating heartbeats (every few seconds) would drown it.
            if (job.message() != null && !job.message().equals(previous)) {
                store.log(job.id(), job.attempts(), JobLogEntry.Level.INFO, job.message(), now);
            }
            return new HeartbeatReply(job.leaseExpiresAt(), job.cancelRequested());
        });
        // After the commit: no transaction holding a job's lock ever waits for a worker's row (see requireActive).
        workers.touch(workerId);
        return reply;
    }

    private static UUID heartbeatWorkerId(String workerId) {
        try {
            return UUID.fromString(workerId);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("workerId", "workerId is not a worker id (a UUID), got '" + workerId + "'");
        }
    }

    private static void requireOwner(Job job, UUID workerId, int attempt) {
        if (!job.isOwnedBy(workerId, attempt)) {
            throw ApiException.conflict("attempt " + attempt + " of worker " + workerId + " no longer owns job "
                    + job.id() + ": it is " + job.status() + " at attempt " + job.attempts()
                    + (job.workerId() == null ? "" : " on worker " + job.workerId())
                    + "; stop and do not report a result");
        }
    }

    /**
     * Accepts a worker's result once per (job, attempt): a repeat answers with the stored response
     * and changes nothing. Takes ownership of the staged file, if any.
     */
    public Map<String, Object> result(UUID jobId, ReceivedUpload upload) {
        StagedFile file = upload.file();
        try {
            AttemptResult attemptResult = attemptResult(parseResult(upload.metadataJson()));
            UUID workerId = workerId(attemptResult);
            int attempt = attemptResult.attempt();
            ResultStatus reported = attemptResult.status();
            WorkerService.WorkerRef worker = workers.require(workerId);
            Map<String, Object> response = transaction.execute(tx -> {
                store.commitWithoutWaitingForDisk();
                Job job = store.lock(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
                Optional<String> stored = store.storedResult(jobId, attempt);
                if (stored.isPresent()) {
                    return readMap(stored.get());
                }
                requireOwner(job, workerId, attempt);
                JobView before = views.view(job);
                Instant now = Timestamps.now();
                boolean requeued = false;
                List<UUID> followUps = List.of();
                switch (reported) {
                    case SUCCEEDED -> {
                        Optional<String> nothing = products.nothingQuantized(job, attemptResult.product(), file);
                        if (nothing.isPresent()) {
                            // The same bytes would come back from every attempt: fail at once, record no variant.
                            job.fail(nothing.get(), false, now);
                        } else if (job.reproducesVariantId() != null) {
                            // A reproduction compares the bytes with its variant's and keeps none of them.
                            job.reproduced(reproductions.record(job, worker, attemptResult.product(), file, now), now);
                        } else {
                            Optional<VariantReuse.Reuse> identical = reuse.afterRun(job,
                                    JobProducts.engineVersion(attemptResult.product(), worker));
                            if (identical.isPresent()) {
                                job.succeedReusing(identical.get().variantId(), identical.get().why(), now);
                            } else {
                                job.succeed(products.record(job, worker, attemptResult.product(), file), now);
                            }
                            followUps = followUpJobs.queue(job, now);
                        }
                    }
                    case FAILED -> requeued = job.fail(attemptResult.error(), attemptResult.retryable(), now);
                    case CANCELLED -> job.cancelled(now);
                }
                store.update(job);
                logOutcome(job, attempt, requeued, followUps, now);
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("jobId", job.id());
                reply.put("status", job.status().name());
                reply.put("variantId", job.type() == JobType.QUANTIZE ? job.variantId() : null);
                reply.put("reused", job.reused());
                reply.put("attempt", attempt);
                reply.put("followUpJobIds", followUps);
                store.saveResult(jobId, attempt, reported, CanonicalJson.write(reply), now);
                audit.record(requeued ? "job.requeued" : "job.finished", "job", jobId.toString(), before,
                        views.view(job), Map.of("reported", reported.name(), "attempt", attempt,
                                "status", job.status().name()));
                if (requeued || !followUps.isEmpty()) {
                    signal.signalAfterCommit();
                }
                return reply;
            });
            workers.touch(workerId);
            return response;
        } finally {
            if (file != null) {
                file.discard();
            }
        }
    }

    private void logOutcome(Job job, int attempt, boolean requeued, List<UUID> followUps, Instant now) {
        switch (job.status()) {
            case SUCCEEDED -> store.log(job.id(), attempt, JobLogEntry.Level.INFO, "succeeded"
                    + (job.reused() || job.reproducesVariantId() != null ? "; " + job.message()
                    : job.type() == JobType.QUANTIZE && job.variantId() != null
                    ? "; produced variant " + job.variantId() : "")
                    + (followUps.isEmpty() ? "" : "; queued " + followUps.size() + " follow-up job(s)"), now);
            case CANCELLED -> store.log(job.id(), attempt, JobLogEntry.Level.WARN, "cancelled while running", now);
            default -> store.log(job.id(), attempt, requeued ? JobLogEntry.Level.WARN : JobLogEntry.Level.ERROR,
                    "attempt " + attempt + " failed: " + job.error()
                            + (requeued ? "; re-queued for another attempt" : ""), now);
        }
    }

    private static JsonNode parseResult(String json) {
        try {
            JsonNode node = CanonicalJson.mapper().readTree(json);
            if (node == null || !node.isObject()) {
                throw ApiException.invalid("result", "the 'result' part must be a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw ApiException.invalid("result", "the 'result' part is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The result as the protocol's record: its header, and what a succeeded attempt made. */
    @SuppressWarnings("unchecked")
    private static AttemptResult attemptResult(JsonNode result) {
        try {
            return AttemptResult.fromJson(CanonicalJson.mapper().convertValue(result, Map.class));
        } catch (ProtocolException e) {
            throw ApiException.invalid(e.field(), e.getMessage());
        }
    }

    private static UUID workerId(AttemptResult result) {
        try {
            return UUID.fromString(result.workerId());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("workerId", "workerId is required: the id the registration returned");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMap(String json) {
        return new HashMap<String, Object>(CanonicalJson.mapper().readValue(json, Map.class));
    }
}
