package io.qreg.registry.job;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Instant;
import java.util.UUID;

/**
 * The job aggregate and its state machine. Every change of state goes through a method here that
 * checks the current state first, so no caller can move a job along an edge the machine lacks:
 *
 * <pre>
 * QUEUED  --claim-->            RUNNING (attempts + 1, worker, lease)
 * QUEUED  --cancel-->           CANCELLED
 * RUNNING --heartbeat-->        RUNNING (lease renewed, progress)
 * RUNNING --cancel-->           RUNNING with cancelRequested (the worker reports CANCELLED)
 * RUNNING --succeed-->          SUCCEEDED
 * RUNNING --fail(retryable)-->  QUEUED while attempts remain, else FAILED
 * RUNNING --fail-->             FAILED
 * RUNNING --cancelled-->        CANCELLED
 * RUNNING --lease expired-->    QUEUED while attempts remain, else FAILED
 * RUNNING --worker stopped-->   QUEUED while attempts remain, else FAILED
 * QUEUED  --reuse-->            SUCCEEDED with an existing variant, never attempted (QUANTIZE only)
 * </pre>
 */
public class Job {

    private final UUID id;
    private final JobType type;
    private JobStatus status;
    private final UUID checkpointId;
    private final String recipeName;
    private final Integer recipeVersion;
    private final String calibrationDatasetName;
    private final Integer calibrationDatasetVersion;
    private final String datasetName;
    private final Integer datasetVersion;
    private UUID variantId;
    private final String hardwareTarget;
    private final String followUpsJson;
    private final UUID parentJobId;
    private final boolean force;
    private boolean reused;
    private final UUID reproducesVariantId;
    private int attempts;
    private final int maxAttempts;
    private double progress;
    private String message;
    private String error;
    private boolean cancelRequested;
    private UUID workerId;
    private Instant leaseExpiresAt;
    private final Instant createdAt;
    private final String createdBy;
    private Instant startedAt;
    private Instant finishedAt;

    Job(UUID id, JobType type, JobStatus status, UUID checkpointId, String recipeName, Integer recipeVersion,
            String calibrationDatasetName, Integer calibrationDatasetVersion, String datasetName,
            Integer datasetVersion, UUID variantId, String hardwareTarget, String followUpsJson, UUID parentJobId,
            boolean force, boolean reused, UUID reproducesVariantId, int attempts, int maxAttempts, double progress, String message, String error, boolean cancelRequested,
            UUID workerId, Instant leaseExpiresAt, Instant createdAt, String createdBy, Instant startedAt,
            Instant finishedAt) {
        this.id = id;
        this.type = type;
        this.status = status;
        this.checkpointId = checkpointId;
        this.recipeName = recipeName;
        this.recipeVersion = recipeVersion;
        this.calibrationDatasetName = calibrationDatasetName;
        this.calibrationDatasetVersion = calibrationDatasetVersion;
        this.datasetName = datasetName;
        this.datasetVersion = datasetVersion;
        this.variantId = variantId;
        this.hardwareTarget = hardwareTarget;
        this.followUpsJson = followUpsJson;
        this.parentJobId = parentJobId;
        this.force = force;
        this.reused = reused;
        this.reproducesVariantId = reproducesVariantId;
        this.attempts = attempts;
        this.maxAttempts = maxAttempts;
        this.progress = progress;
        this.message = message;
        this.error = error;
        this.cancelRequested = cancelRequested;
        this.workerId = workerId;
        this.leaseExpiresAt = leaseExpiresAt;
        this.createdAt = createdAt;
        this.createdBy = createdBy;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
    }

    /** Who submitted a job, when, and how many attempts it may take: the same for every job type. */
    record Submitted(int maxAttempts, Instant at, String by) {
    }

    /**
     * A new QUANTIZE job, QUEUED: the checkpoint, the recipe, an optional calibration set and its follow-ups;
     * {@code force}: make a new variant even if an identical run already made one.
     */
    static Job quantize(UUID checkpointId, JobRequest.Versioned recipe, JobRequest.Versioned calibration,
            String hardwareTarget, String followUpsJson, boolean force, Submitted submitted) {
        return queued(JobType.QUANTIZE, checkpointId, recipe, calibration, null, null, hardwareTarget, followUpsJson,
                null, force, null, submitted);
    }

    /** A new QUANTIZE job, QUEUED, that re-runs {@code variantId}'s quantization to compare bytes, not to keep them. */
    static Job reproduce(UUID variantId, UUID checkpointId, JobRequest.Versioned recipe,
            JobRequest.Versioned calibration, String hardwareTarget, Submitted submitted) {
        return queued(JobType.QUANTIZE, checkpointId, recipe, calibration, null, null, hardwareTarget, "[]", null,
                true, variantId, submitted);
    }

    /**
     * A new EVALUATE job, QUEUED: of {@code variantId} against its checkpoint, or, with a null variant, of the
     * checkpoint itself; {@code parentJobId} is the QUANTIZE job whose follow-up it is, if any.
     */
    static Job evaluate(UUID checkpointId, UUID variantId, JobRequest.Versioned dataset, String hardwareTarget,
            UUID parentJobId, Submitted submitted) {
        return queued(JobType.EVALUATE, checkpointId, null, null, dataset, variantId, hardwareTarget, "[]",
                parentJobId, false, null, submitted);
    }

    /** A new BENCHMARK job, QUEUED: the variant against its checkpoint on a hardware target. */
    static Job benchmark(UUID checkpointId, UUID variantId, String hardwareTarget, UUID parentJobId,
            Submitted submitted) {
        return queued(JobType.BENCHMARK, checkpointId, null, null, null, variantId, hardwareTarget, "[]", parentJobId,
                false, null, submitted);
    }

    private static Job queued(JobType type, UUID checkpointId, JobRequest.Versioned recipe,
            JobRequest.Versioned calibration, JobRequest.Versioned dataset, UUID variantId, String hardwareTarget,
            String followUpsJson, UUID parentJobId, boolean force, UUID reproducesVariantId, Submitted submitted) {
        return new Job(UUID.randomUUID(), type, JobStatus.QUEUED, checkpointId,
                recipe == null ? null : recipe.name(), recipe == null ? null : recipe.version(),
                calibration == null ? null : calibration.name(), calibration == null ? null : calibration.version(),
                dataset == null ? null : dataset.name(), dataset == null ? null : dataset.version(), variantId,
                hardwareTarget, followUpsJson, parentJobId, force, false, reproducesVariantId, 0,
                submitted.maxAttempts(), 0, null, null, false, null,
                null, submitted.at(), submitted.by(), null, null);
    }

    /**
     * A job the registry can already tell will fail (its inputs do not fit the model) ends FAILED at
     * submission, attempt-free, so no worker spends time on it and the reason is on record.
     */
    void refuse(String reason, Instant now) {
        require(JobStatus.QUEUED, "refused");
        if (attempts > 0) {
            throw new IllegalTransitionException(status, "job " + id + " was already attempted " + attempts
                    + " time(s); only a job no worker has claimed can be refused");
        }
        status = JobStatus.FAILED;
        error = reason;
        end(now);
    }

    /**
     * An identical run already made {@code existing}: the job succeeds with it at once, never attempted, so no worker
     * spends time re-making bytes the registry holds ({@link VariantReuse}).
     */
    void reuse(UUID existing, String why, Instant now) {
        require(JobStatus.QUEUED, "reused");
        if (type != JobType.QUANTIZE || force || reproducesVariantId != null || attempts > 0) {
            throw new IllegalTransitionException(status, "job " + id + " cannot reuse a variant: only a QUANTIZE"
                    + " job without force that no worker has claimed can");
        }
        status = JobStatus.SUCCEEDED;
        variantId = existing;
        reused = true;
        progress = 1;
        message = why;
        end(now);
    }

    /**
     * The worker ran it, but meanwhile (or unknown to the submission) an identical run made {@code existing}: that
     * variant is the job's product, and the new bytes are not kept.
     */
    void succeedReusing(UUID existing, String why, Instant now) {
        succeed(existing, now);
        reused = true;
        message = why;
    }

    /** A reproduction ran: it succeeds without a variant of its own; {@code outcome} says how the bytes compared. */
    void reproduced(String outcome, Instant now) {
        if (reproducesVariantId == null) {
            throw new IllegalTransitionException(status, "job " + id + " is no reproduction");
        }
        succeed(null, now);
        message = outcome;
    }

    void claim(UUID worker, Instant now, Instant leaseUntil) {
        require(JobStatus.QUEUED, "claimed");
        status = JobStatus.RUNNING;
        attempts++;
        workerId = worker;
        leaseExpiresAt = leaseUntil;
        progress = 0;
        message = null;
        if (startedAt == null) {
            startedAt = now;
        }
    }

    /** Whether this worker's attempt is the one the job is running now. */
    boolean isOwnedBy(UUID worker, int attempt) {
        return status == JobStatus.RUNNING && worker.equals(workerId) && attempt == attempts;
    }

    void heartbeat(double newProgress, String newMessage, Instant leaseUntil) {
        require(JobStatus.RUNNING, "renewed");
        progress = Math.max(0, Math.min(1, newProgress));
        if (newMessage != null) {
            message = newMessage.length() > 1000 ? newMessage.substring(0, 1000) : newMessage;
        }
        leaseExpiresAt = leaseUntil;
    }

    /** QUEUED jobs end at once (true); RUNNING ones are asked to stop at the next heartbeat (false). */
    boolean cancel(Instant now) {
        if (status == JobStatus.QUEUED) {
            status = JobStatus.CANCELLED;
            finishedAt = now;
            message = "cancelled before a worker claimed it";
            return true;
        }
        if (status == JobStatus.RUNNING) {
            cancelRequested = true;
            return false;
        }
        throw new IllegalTransitionException(status, "job " + id + " is " + status
                + " and cannot be cancelled; only QUEUED or RUNNING jobs can");
    }

    void succeed(UUID producedVariant, Instant now) {
        require(JobStatus.RUNNING, "marked SUCCEEDED");
        status = JobStatus.SUCCEEDED;
        if (producedVariant != null) {
            variantId = producedVariant;
        }
        progress = 1;
        error = null;
        end(now);
    }

    /** Re-queues a retryable failure while attempts remain; returns whether the job went back to QUEUED. */
    boolean fail(String reason, boolean retryable, Instant now) {
        require(JobStatus.RUNNING, "marked FAILED");
        error = reason == null || reason.isBlank() ? "the worker reported a failure without a reason" : reason;
        if (error.length() > 4000) {
            error = error.substring(0, 4000);
        }
        if (retryable && attempts < maxAttempts && !cancelRequested) {
            requeue();
            return true;
        }
        status = JobStatus.FAILED;
        end(now);
        return false;
    }

    void cancelled(Instant now) {
        require(JobStatus.RUNNING, "marked CANCELLED by its worker");
        status = JobStatus.CANCELLED;
        message = "cancelled while running";
        end(now);
    }

    /** The worker went silent: retry while attempts remain (the next claim counts), else fail. */
    boolean leaseExpired(Instant now) {
        require(JobStatus.RUNNING, "expired");
        return takeBack("the lease of attempt " + attempts + " expired (worker " + workerId
                        + " stopped sending heartbeats)",
                "the leases of all " + attempts + " attempts expired: the workers stopped sending heartbeats",
                "cancelled; the worker stopped sending heartbeats", now);
    }

    /** The worker deregistered while running this attempt: retry at once while attempts remain, else fail. */
    boolean workerStopped(Instant now) {
        require(JobStatus.RUNNING, "released by its stopped worker");
        String stopped = "worker " + workerId + " stopped (deregistered) during attempt " + attempts;
        return takeBack(stopped, stopped + ", the last of " + maxAttempts, "cancelled; the worker stopped", now);
    }

    /** A RUNNING job whose worker is gone: QUEUED while attempts remain (true), else FAILED, or CANCELLED if asked. */
    private boolean takeBack(String requeuedBecause, String failedBecause, String cancelledMessage, Instant now) {
        if (cancelRequested) {
            status = JobStatus.CANCELLED;
            message = cancelledMessage;
            end(now);
            return false;
        }
        if (attempts < maxAttempts) {
            error = requeuedBecause;
            requeue();
            return true;
        }
        status = JobStatus.FAILED;
        error = failedBecause;
        end(now);
        return false;
    }

    private void requeue() {
        status = JobStatus.QUEUED;
        workerId = null;
        leaseExpiresAt = null;
        progress = 0;
    }

    private void end(Instant now) {
        finishedAt = now;
        leaseExpiresAt = null;
        cancelRequested = false;
    }

    private void require(JobStatus expected, String action) {
        if (status != expected) {
            throw new IllegalTransitionException(status, "job " + id + " is " + status + " and cannot be "
                    + action + "; that needs " + expected);
        }
    }

    public UUID id() {
        return id;
    }

    public JobType type() {
        return type;
    }

    public JobStatus status() {
        return status;
    }

    public UUID checkpointId() {
        return checkpointId;
    }

    public String recipeName() {
        return recipeName;
    }

    public Integer recipeVersion() {
        return recipeVersion;
    }

    public String calibrationDatasetName() {
        return calibrationDatasetName;
    }

    public Integer calibrationDatasetVersion() {
        return calibrationDatasetVersion;
    }

    public String datasetName() {
        return datasetName;
    }

    public Integer datasetVersion() {
        return datasetVersion;
    }

    public UUID variantId() {
        return variantId;
    }

    public String hardwareTarget() {
        return hardwareTarget;
    }

    String followUpsJson() {
        return followUpsJson;
    }

    public UUID parentJobId() {
        return parentJobId;
    }

    public boolean force() {
        return force;
    }

    public boolean reused() {
        return reused;
    }

    public UUID reproducesVariantId() {
        return reproducesVariantId;
    }

    public int attempts() {
        return attempts;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public double progress() {
        return progress;
    }

    public String message() {
        return message;
    }

    public String error() {
        return error;
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    public UUID workerId() {
        return workerId;
    }

    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    public Instant createdAt() {
        return createdAt;
    }

    public String createdBy() {
        return createdBy;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public Instant finishedAt() {
        return finishedAt;
    }
}
