package io.qreg.registry.job;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

import io.qreg.registry.artifact.ReceivedUpload;
import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.checkpoint.TensorSpec;
import io.qreg.registry.dataset.DatasetArray;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.NewVariant;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * Submits, runs and finishes jobs. Each step is one transaction around the job's row lock: the
 * claim ({@code FOR UPDATE SKIP LOCKED}), a heartbeat, a result, a cancel and a lease expiry, so
 * two of them never act on the same job at once and the job's state machine decides each step.
 */
@Service
public class JobService {

    static final long RETRY_MILLIS = 250;
    static final Duration MAX_WAIT = Duration.ofSeconds(60);
    private static final Set<String> LABELLED_TASKS = Set.of("classification", "language-model");
    private static final TypeReference<List<Map<String, Object>>> FOLLOW_UPS = new TypeReference<>() {
    };

    private final JobStore store;
    private final JobSignal signal;
    private final JobSettings settings;
    private final WorkerService workers;
    private final HardwareTargetService targets;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelService models;
    private final VariantService variants;
    private final AuditLog audit;
    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    JobService(JobStore store, JobSignal signal, JobSettings settings, WorkerService workers,
            HardwareTargetService targets, CheckpointService checkpoints, RecipeService recipes,
            DatasetService datasets, ModelService models, VariantService variants, AuditLog audit, JdbcTemplate jdbc,
            TransactionTemplate transaction) {
        this.store = store;
        this.signal = signal;
        this.settings = settings;
        this.workers = workers;
        this.targets = targets;
        this.checkpoints = checkpoints;
        this.recipes = recipes;
        this.datasets = datasets;
        this.models = models;
        this.variants = variants;
        this.audit = audit;
        this.jdbc = jdbc;
        this.transaction = transaction;
    }

    // ---------------------------------------------------------------- submit

    @Transactional
    public JobView submit(JobRequest r) {
        if (r == null || r.type() == null) {
            throw ApiException.invalid("type", "type is required: QUANTIZE, EVALUATE or BENCHMARK");
        }
        JobType type;
        try {
            type = JobType.valueOf(r.type().trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("type", "type must be QUANTIZE, EVALUATE or BENCHMARK, got '" + r.type() + "'");
        }
        int maxAttempts = r.maxAttempts() == null ? settings.maxAttempts() : r.maxAttempts();
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw ApiException.invalid("maxAttempts", "maxAttempts must be between 1 and 10, got " + maxAttempts);
        }
        String target = requireTarget(r.hardwareTarget(), "hardwareTarget");
        Instant now = Timestamps.now();
        List<String> misfits = new ArrayList<>();
        Job job = switch (type) {
            case QUANTIZE -> {
                CheckpointView cp = requireCheckpoint(r.checkpointId());
                RecipeView recipe = requireRecipe(r.recipe());
                DatasetView calibration = r.calibrationDataset() == null ? null
                        : requireDataset(r.calibrationDataset(), "calibrationDataset");
                if (calibration == null && "int8-static".equals(recipe.method())) {
                    throw ApiException.invalid("calibrationDataset", "recipe " + recipe.name() + "@"
                            + recipe.version() + " is int8-static, which needs a calibrationDataset {name, version}"
                            + " to compute activation ranges");
                }
                if (calibration != null) {
                    requirePurpose(calibration, "calibration", "calibrationDataset");
                    inputsMismatch(calibration, cp, "calibrationDataset").ifPresent(misfits::add);
                }
                List<Map<String, Object>> followUps = followUps(r.followUps(), cp, misfits);
                yield Job.queued(type, cp.id(), recipe.name(), recipe.version(),
                        calibration == null ? null : calibration.name(),
                        calibration == null ? null : calibration.version(), null, null, null, target,
                        CanonicalJson.write(followUps), null, maxAttempts, now, CurrentUser.username());
            }
            case EVALUATE -> {
                VariantRef variant = requireVariant(r.variantId());
                CheckpointView cp = checkpoints.get(variant.checkpointId());
                DatasetView dataset = requireEvaluationDataset(r.dataset(), cp, "dataset", misfits);
                yield Job.queued(type, cp.id(), null, null, null, null, dataset.name(), dataset.version(),
                        variant.id(), target, "[]", null, maxAttempts, now, CurrentUser.username());
            }
            case BENCHMARK -> {
                VariantRef variant = requireVariant(r.variantId());
                yield Job.queued(type, variant.checkpointId(), null, null, null, null, null, null, variant.id(),
                        target, "[]", null, maxAttempts, now, CurrentUser.username());
            }
        };
        if (!misfits.isEmpty()) {
            job.refuse(String.join("; ", misfits), now);
        }
        store.insert(job);
        store.log(job.id(), 0, JobLogEntry.Level.INFO, "submitted by " + job.createdBy() + " for hardware target '"
                + target + "'", now);
        JobView view = view(job);
        audit.record("job.submitted", "job", job.id().toString(), null, view,
                Map.of("type", type.name(), "hardwareTarget", target));
        if (job.status() == JobStatus.FAILED) {
            store.update(job);
            store.log(job.id(), 0, JobLogEntry.Level.ERROR, "refused before any attempt: " + job.error(), now);
            audit.record("job.failed", "job", job.id().toString(), null, view(job),
                    Map.of("attempt", 0, "retryable", false, "error", job.error()));
        } else {
            wakeClaimsAfterCommit();
        }
        return view(job);
    }

    private List<Map<String, Object>> followUps(List<JobRequest.FollowUp> requested, CheckpointView cp,
            List<String> misfits) {
        List<Map<String, Object>> followUps = new ArrayList<>();
        if (requested == null) {
            return followUps;
        }
        for (int i = 0; i < requested.size(); i++) {
            JobRequest.FollowUp f = requested.get(i);
            String field = "followUps[" + i + "]";
            String type = f == null || f.type() == null ? "" : f.type().trim().toUpperCase(java.util.Locale.ROOT);
            Map<String, Object> normalized = new LinkedHashMap<>();
            switch (type) {
                case "EVALUATE" -> {
                    DatasetView d = requireEvaluationDataset(f.dataset(), cp, field + ".dataset", misfits);
                    normalized.put("type", "EVALUATE");
                    normalized.put("dataset", Map.of("name", d.name(), "version", d.version()));
                    normalized.put("hardwareTarget", requireTarget(f.hardwareTarget(), field + ".hardwareTarget"));
                }
                case "BENCHMARK" -> {
                    normalized.put("type", "BENCHMARK");
                    normalized.put("hardwareTarget", requireTarget(f.hardwareTarget(), field + ".hardwareTarget"));
                }
                default -> throw ApiException.invalid(field + ".type",
                        "a follow-up is {type: EVALUATE, dataset: {name, version}} or {type: BENCHMARK,"
                                + " hardwareTarget}; got type '" + (f == null ? null : f.type()) + "'");
            }
            followUps.add(normalized);
        }
        return followUps;
    }

    private CheckpointView requireCheckpoint(UUID id) {
        if (id == null) {
            throw ApiException.invalid("checkpointId", "checkpointId is required for a QUANTIZE job");
        }
        return naming("checkpointId", () -> checkpoints.get(id));
    }

    private RecipeView requireRecipe(JobRequest.Versioned recipe) {
        if (recipe == null || recipe.name() == null || recipe.version() == null) {
            throw ApiException.invalid("recipe", "recipe {name, version} is required for a QUANTIZE job");
        }
        return naming("recipe", () -> recipes.get(recipe.name(), recipe.version()));
    }

    private VariantRef requireVariant(UUID id) {
        if (id == null) {
            throw ApiException.invalid("variantId", "variantId is required for EVALUATE and BENCHMARK jobs");
        }
        return naming("variantId", () -> variants.ref(id));
    }

    private DatasetView requireDataset(JobRequest.Versioned d, String field) {
        if (d == null || d.name() == null || d.version() == null) {
            throw ApiException.invalid(field, field + " {name, version} is required");
        }
        return naming(field, () -> datasets.get(d.name(), d.version()));
    }

    /** Resolves the dataset (400/404 when it cannot be); what does not fit the model goes to {@code misfits}. */
    private DatasetView requireEvaluationDataset(JobRequest.Versioned d, CheckpointView cp, String field,
            List<String> misfits) {
        DatasetView dataset = requireDataset(d, field);
        requirePurpose(dataset, "evaluation", field);
        inputsMismatch(dataset, cp, field).ifPresent(misfits::add);
        String task = models.get(cp.modelName()).task();
        if (!dataset.hasLabels() && LABELLED_TASKS.contains(task)) {
            misfits.add(field + ": dataset " + dataset.name() + "@" + dataset.version() + " has no labels, but model '"
                    + cp.modelName() + "' is a " + task + " model whose accuracy metrics need them;"
                    + " upload a version with labels.npy");
        }
        return dataset;
    }

    private String requireTarget(String name, String field) {
        String target = name == null || name.isBlank() ? HardwareTargetService.ANY : name;
        if (!targets.exists(target)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "hardware target '" + target + "' does not exist", field);
        }
        return target;
    }

    private static void requirePurpose(DatasetView d, String purpose, String field) {
        if (!purpose.equals(d.purpose())) {
            throw ApiException.invalid(field, "dataset " + d.name() + "@" + d.version() + " has purpose '"
                    + d.purpose() + "', but " + field + " needs a dataset with purpose '" + purpose + "'");
        }
    }

    private static Optional<String> inputsMismatch(DatasetView d, CheckpointView cp, String field) {
        Set<String> datasetInputs = new TreeSet<>(d.inputs().stream().map(DatasetArray::name).toList());
        Set<String> modelInputs = new TreeSet<>(cp.inputs().stream().map(TensorSpec::name).toList());
        if (datasetInputs.equals(modelInputs)) {
            return Optional.empty();
        }
        return Optional.of(field + ": dataset " + d.name() + "@" + d.version() + " has inputs " + datasetInputs
                + " but checkpoint " + cp.modelName() + "@" + cp.version() + " takes " + modelInputs
                + "; name one array per model input");
    }

    /** Runs a lookup and, when it says 404, names the request field that pointed at nothing. */
    private static <T> T naming(String field, Supplier<T> lookup) {
        try {
            return lookup.get();
        } catch (ApiException e) {
            throw new ApiException(e.status(), e.getMessage(), field);
        }
    }

    // ---------------------------------------------------------------- reads and cancel

    @Transactional(readOnly = true)
    public JobView get(UUID id) {
        return view(store.find(id).orElseThrow(() -> ApiException.notFound("job", id)));
    }

    @Transactional(readOnly = true)
    public Page<JobView> search(String status, String type, Pageable pageable) {
        return store.search(parse(JobStatus.class, status, "status"), parse(JobType.class, type, "type"), pageable)
                .map(this::view);
    }

    /** The job's history for its page: the latest {@code limit} lines, oldest first. */
    @Transactional(readOnly = true)
    public List<JobLogEntry> log(UUID id, int limit) {
        store.find(id).orElseThrow(() -> ApiException.notFound("job", id));
        return store.logs(id, limit);
    }

    /** The changing fields of several jobs in one read, for live progress displays; unknown ids are left out. */
    @Transactional(readOnly = true)
    public List<JobProgress> progress(java.util.Collection<UUID> ids) {
        return store.progress(ids);
    }

    private static <E extends Enum<E>> E parse(Class<E> kind, String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(kind, value.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + " must be one of "
                    + java.util.Arrays.toString(kind.getEnumConstants()) + ", got '" + value + "'");
        }
    }

    /** QUEUED: cancelled at once. RUNNING: cancel requested; the worker stops at its next heartbeat. */
    @Transactional
    public JobView cancel(UUID id) {
        Job job = store.lock(id).orElseThrow(() -> ApiException.notFound("job", id));
        JobView before = view(job);
        boolean immediately;
        try {
            immediately = job.cancel(Timestamps.now());
        } catch (IllegalJobTransitionException e) {
            throw ApiException.conflict(e.getMessage());
        }
        store.update(job);
        store.log(job.id(), job.attempts(), JobLogEntry.Level.WARN, immediately
                ? "cancelled by " + CurrentUser.username() + " before a worker claimed it"
                : "cancel requested by " + CurrentUser.username() + "; the worker stops at its next heartbeat",
                Timestamps.now());
        JobView after = view(job);
        audit.record(immediately ? "job.cancelled" : "job.cancel-requested", "job", id.toString(), before, after,
                Map.of("status", job.status().name()));
        return after;
    }

    // ---------------------------------------------------------------- worker protocol

    /** Parses {@code ?wait=}: seconds ({@code 30}, {@code 30s}) or milliseconds ({@code 500ms}), 0 to 60 s. */
    static Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ofSeconds(30);
        }
        String w = wait.trim().toLowerCase(java.util.Locale.ROOT);
        Duration d;
        try {
            if (w.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(w.substring(0, w.length() - 2)));
            } else {
                d = Duration.ofMillis(Math.round(Double.parseDouble(w.endsWith("s") ? w.substring(0, w.length() - 1) : w)
                        * 1000));
            }
        } catch (NumberFormatException e) {
            throw ApiException.invalid("wait", "wait is a duration such as '30s', '500ms' or '0', got '" + wait + "'");
        }
        if (d.isNegative() || d.compareTo(MAX_WAIT) > 0) {
            throw ApiException.invalid("wait", "wait must be between 0 and 60 seconds, got '" + wait + "'");
        }
        return d;
    }

    /**
     * Long-poll claim. Each try is a short transaction; between tries the thread waits on the
     * in-process signal (woken when a job is queued here) for at most {@link #RETRY_MILLIS}, holding
     * no database connection, so jobs queued by another instance are found within that interval.
     */
    public Optional<Map<String, Object>> claim(UUID workerId, Duration wait) throws InterruptedException {
        WorkerService.WorkerRef worker = workers.require(workerId);
        workers.touch(workerId);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            long seen = signal.generation();
            Optional<Map<String, Object>> claimed = transaction.execute(tx -> tryClaim(worker));
            if (claimed.isPresent()) {
                return claimed;
            }
            long remainingMillis = (deadline - System.nanoTime()) / 1_000_000;
            if (remainingMillis <= 0) {
                return Optional.empty();
            }
            signal.await(seen, Math.min(RETRY_MILLIS, remainingMillis));
        }
    }

    private Optional<Map<String, Object>> tryClaim(WorkerService.WorkerRef worker) {
        store.commitWithoutWaitingForDisk();
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
        Map<String, Object> assignment = assignment(job);
        // Last, because the audit chain's lock is held from here to the commit: every claim waits on it.
        audit.record("job.claimed", "job", job.id().toString(), null, null,
                Map.of("workerId", worker.id().toString(), "attempt", job.attempts()));
        return Optional.of(assignment);
    }

    private Map<String, Object> assignment(Job job) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("id", job.id());
        a.put("type", job.type().name());
        a.put("attempt", job.attempts());
        a.put("leaseSeconds", settings.leaseSeconds());
        a.put("leaseExpiresAt", job.leaseExpiresAt());
        a.put("heartbeatSeconds", settings.heartbeatSeconds());
        CheckpointView cp = checkpoints.get(job.checkpointId());
        a.put("checkpoint", Map.of("id", cp.id(), "sha256", cp.sha256(), "sizeBytes", cp.sizeBytes(),
                "contentUrl", "/api/v1/checkpoints/" + cp.id() + "/content"));
        switch (job.type()) {
            case QUANTIZE -> {
                RecipeView r = recipes.get(job.recipeName(), job.recipeVersion());
                Map<String, Object> recipe = new LinkedHashMap<>();
                recipe.put("name", r.name());
                recipe.put("version", r.version());
                recipe.put("hash", r.hash());
                recipe.put("method", r.method());
                recipe.put("perChannel", r.perChannel());
                recipe.put("symmetric", r.symmetric());
                recipe.put("blockSize", r.blockSize());
                recipe.put("calibrationMethod", r.calibrationMethod());
                recipe.put("percentile", r.percentile());
                recipe.put("excludeNodes", r.excludeNodes());
                recipe.put("excludeOpTypes", r.excludeOpTypes());
                recipe.put("accuracyBudget", r.accuracyBudget());
                a.put("recipe", recipe);
                a.put("calibrationDataset", job.calibrationDatasetName() == null ? null
                        : datasetPayload(datasets.get(job.calibrationDatasetName(), job.calibrationDatasetVersion())));
            }
            case EVALUATE -> {
                a.put("variant", variantPayload(job.variantId()));
                a.put("dataset", datasetPayload(datasets.get(job.datasetName(), job.datasetVersion())));
                a.put("task", models.get(cp.modelName()).task());
            }
            case BENCHMARK -> a.put("variant", variantPayload(job.variantId()));
        }
        a.put("hardwareTarget", job.hardwareTarget());
        return a;
    }

    private Map<String, Object> variantPayload(UUID id) {
        VariantRef v = variants.ref(id);
        return Map.of("id", v.id(), "sha256", v.sha256(), "sizeBytes", v.sizeBytes(), "contentUrl", v.contentUrl(),
                "method", v.method());
    }

    private static Map<String, Object> datasetPayload(DatasetView d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("version", d.version());
        m.put("sha256", d.sha256());
        m.put("format", d.format());
        m.put("contentUrl", "/api/v1/datasets/" + d.name() + "/versions/" + d.version() + "/content");
        m.put("hasLabels", d.hasLabels());
        m.put("hasSlices", d.hasSlices());
        return m;
    }

    public record Heartbeat(UUID workerId, Integer attempt, Double progress, String message) {
    }

    public record HeartbeatReply(Instant leaseExpiresAt, boolean cancelRequested) {
    }

    @Transactional
    public HeartbeatReply heartbeat(UUID jobId, Heartbeat h) {
        if (h == null || h.workerId() == null) {
            throw ApiException.invalid("workerId", "workerId is required");
        }
        if (h.attempt() == null) {
            throw ApiException.invalid("attempt", "attempt is required (the attempt number the claim returned)");
        }
        if (h.progress() != null && (h.progress().isNaN() || h.progress() < 0 || h.progress() > 1)) {
            throw ApiException.invalid("progress", "progress is a fraction between 0 and 1, got " + h.progress());
        }
        workers.require(h.workerId());
        store.commitWithoutWaitingForDisk();
        Job job = store.lock(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
        requireOwner(job, h.workerId(), h.attempt());
        Instant now = Timestamps.now();
        String previous = job.message();
        job.heartbeat(h.progress() == null ? job.progress() : h.progress(), h.message(),
                now.plusSeconds(settings.leaseSeconds()));
        store.update(job);
        // Only a new message is history; repeating heartbeats (every few seconds) would drown it.
        if (job.message() != null && !job.message().equals(previous)) {
            store.log(job.id(), job.attempts(), JobLogEntry.Level.INFO, job.message(), now);
        }
        workers.touch(h.workerId());
        return new HeartbeatReply(job.leaseExpiresAt(), job.cancelRequested());
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
            JsonNode result = parseResult(upload.metadataJson());
            UUID workerId = uuid(result, "workerId");
            if (!result.path("attempt").isNumber()) {
                throw ApiException.invalid("attempt", "attempt is required (the attempt number the claim returned)");
            }
            int attempt = result.get("attempt").asInt();
            String status = result.path("status").asString("");
            if (!Set.of("SUCCEEDED", "FAILED", "CANCELLED").contains(status)) {
                throw ApiException.invalid("status", "status must be SUCCEEDED, FAILED or CANCELLED, got '"
                        + status + "'");
            }
            WorkerService.WorkerRef worker = workers.require(workerId);
            boolean[] wake = {false};
            Map<String, Object> response = transaction.execute(tx -> {
                store.commitWithoutWaitingForDisk();
                Job job = store.lock(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
                List<String> stored = jdbc.queryForList(
                        "select response::text from job_result where job_id = ? and attempt = ?", String.class,
                        jobId, attempt);
                if (!stored.isEmpty()) {
                    return readMap(stored.get(0));
                }
                requireOwner(job, workerId, attempt);
                JobView before = view(job);
                Instant now = Timestamps.now();
                boolean requeued = false;
                List<UUID> followUps = List.of();
                switch (status) {
                    case "SUCCEEDED" -> {
                        UUID variantId = produce(job, worker, result, file);
                        job.succeed(variantId, now);
                        followUps = createFollowUps(job, now);
                    }
                    case "FAILED" -> requeued = job.fail(result.path("error").asString(null),
                            result.path("retryable").asBoolean(false), now);
                    default -> job.cancelled(now);
                }
                store.update(job);
                logOutcome(job, attempt, requeued, followUps, now);
                workers.touch(workerId);
                Map<String, Object> reply = new LinkedHashMap<>();
                reply.put("jobId", job.id());
                reply.put("status", job.status().name());
                reply.put("variantId", job.type() == JobType.QUANTIZE ? job.variantId() : null);
                reply.put("attempt", attempt);
                reply.put("followUpJobIds", followUps);
                jdbc.update("insert into job_result (job_id, attempt, status, response, created_at)"
                        + " values (?, ?, ?, ?::jsonb, ?)", jobId, attempt, status, CanonicalJson.write(reply),
                        Timestamp.from(now));
                audit.record(requeued ? "job.requeued" : "job.finished", "job", jobId.toString(), before, view(job),
                        Map.of("reported", status, "attempt", attempt, "status", job.status().name()));
                if (requeued || !followUps.isEmpty()) {
                    wakeClaimsAfterCommit();
                }
                return reply;
            });
            return response;
        } finally {
            if (file != null) {
                file.discard();
            }
        }
    }

    /** Records what a succeeded job produced; returns the new variant's id for a QUANTIZE job. */
    private UUID produce(Job job, WorkerService.WorkerRef worker, JsonNode result, StagedFile file) {
        Object profile = worker.hardwareProfile();
        switch (job.type()) {
            case QUANTIZE -> {
                if (file == null) {
                    throw ApiException.invalid("file", "a SUCCEEDED QUANTIZE result needs the quantized model"
                            + " in part 'file'");
                }
                String claimed = result.path("sha256").asString(null);
                if (claimed != null && !claimed.equals(file.sha256())) {
                    throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "sha256 mismatch: the result says "
                            + claimed + " but the received " + file.sizeBytes() + " bytes hash to " + file.sha256(),
                            "sha256");
                }
                CheckpointView cp = checkpoints.get(job.checkpointId());
                RecipeView recipe = recipes.get(job.recipeName(), job.recipeVersion());
                Map<String, Object> lineage = new LinkedHashMap<>();
                lineage.put("checkpointSha256", cp.sha256());
                lineage.put("recipe", Map.of("name", recipe.name(), "version", recipe.version(),
                        "hash", recipe.hash()));
                if (job.calibrationDatasetName() != null) {
                    DatasetView d = datasets.get(job.calibrationDatasetName(), job.calibrationDatasetVersion());
                    lineage.put("calibrationDataset", Map.of("name", d.name(), "version", d.version(),
                            "sha256", d.sha256()));
                } else {
                    lineage.put("calibrationDataset", null);
                }
                lineage.put("workerId", worker.id());
                lineage.put("hardwareProfile", profile);
                lineage.put("engineVersion", text(result, "engineVersion", profile, "engineVersion"));
                lineage.put("onnxRuntimeVersion", text(result, "onnxRuntimeVersion", profile, "onnxRuntimeVersion"));
                lineage.put("jobId", job.id());
                Object report = result.hasNonNull("report") ? CanonicalJson.mapper().convertValue(result.get("report"),
                        Object.class) : null;
                ModelView model = models.get(cp.modelName());
                return variants.create(new NewVariant(job.id(), model.id(), cp.id(), file, recipe.method(), lineage,
                        report));
            }
            case EVALUATE -> {
                variants.addEvaluation(job.variantId(), job.id(), job.datasetName(), job.datasetVersion(),
                        mapOf(result, "evaluation"), profile);
                return null;
            }
            default -> {
                variants.addBenchmark(job.variantId(), job.id(), job.hardwareTarget(), mapOf(result, "benchmark"),
                        profile);
                return null;
            }
        }
    }

    private List<UUID> createFollowUps(Job parent, Instant now) {
        if (parent.type() != JobType.QUANTIZE || parent.variantId() == null) {
            return List.of();
        }
        List<UUID> ids = new ArrayList<>();
        Instant created = now;
        for (Map<String, Object> f : CanonicalJson.mapper().readValue(parent.followUpsJson(), FOLLOW_UPS)) {
            // One microsecond apart: the queue (oldest first) and followUpJobIds keep the request's order.
            created = created.plusNanos(1000);
            String target = (String) f.getOrDefault("hardwareTarget", HardwareTargetService.ANY);
            Job child;
            if ("EVALUATE".equals(f.get("type"))) {
                Map<?, ?> d = (Map<?, ?>) f.get("dataset");
                child = Job.queued(JobType.EVALUATE, parent.checkpointId(), null, null, null, null,
                        (String) d.get("name"), ((Number) d.get("version")).intValue(), parent.variantId(), target,
                        "[]", parent.id(), parent.maxAttempts(), created, parent.createdBy());
            } else {
                child = Job.queued(JobType.BENCHMARK, parent.checkpointId(), null, null, null, null, null, null,
                        parent.variantId(), target, "[]", parent.id(), parent.maxAttempts(), created, parent.createdBy());
            }
            store.insert(child);
            store.log(child.id(), 0, JobLogEntry.Level.INFO, "queued as a follow-up of job " + parent.id()
                    + " for hardware target '" + target + "'", created);
            audit.record("job.submitted", "job", child.id().toString(), null, view(child),
                    Map.of("type", child.type().name(), "parentJobId", parent.id().toString()));
            ids.add(child.id());
        }
        return ids;
    }

    // ---------------------------------------------------------------- leases

    /** Re-queues (or fails, after maxAttempts) every RUNNING job whose lease expired; returns how many. */
    public int expireLeases() {
        Integer swept = transaction.execute(tx -> {
            Instant now = Timestamps.now();
            List<Job> expired = store.lockExpired(now, 100);
            boolean requeued = false;
            for (Job job : expired) {
                JobView before = view(job);
                UUID worker = job.workerId();
                boolean back = job.leaseExpired(now);
                requeued |= back;
                store.update(job);
                store.log(job.id(), job.attempts(), back ? JobLogEntry.Level.WARN : JobLogEntry.Level.ERROR,
                        "lease of attempt " + job.attempts() + " expired (worker " + worker + " stopped sending"
                                + " heartbeats); " + (back ? "re-queued" : "now " + job.status()), now);
                audit.recordAs("system", back ? "job.requeued" : "job.finished", "job", job.id().toString(), before,
                        view(job), Map.of("reason", "lease expired", "workerId", String.valueOf(worker),
                                "attempt", job.attempts(), "status", job.status().name()));
            }
            if (requeued) {
                wakeClaimsAfterCommit();
            }
            return expired.size();
        });
        return swept == null ? 0 : swept;
    }

    // ---------------------------------------------------------------- helpers

    private void logOutcome(Job job, int attempt, boolean requeued, List<UUID> followUps, Instant now) {
        switch (job.status()) {
            case SUCCEEDED -> store.log(job.id(), attempt, JobLogEntry.Level.INFO, "succeeded"
                    + (job.type() == JobType.QUANTIZE && job.variantId() != null
                    ? "; produced variant " + job.variantId() : "")
                    + (followUps.isEmpty() ? "" : "; queued " + followUps.size() + " follow-up job(s)"), now);
            case CANCELLED -> store.log(job.id(), attempt, JobLogEntry.Level.WARN, "cancelled while running", now);
            default -> store.log(job.id(), attempt, requeued ? JobLogEntry.Level.WARN : JobLogEntry.Level.ERROR,
                    "attempt " + attempt + " failed: " + job.error()
                            + (requeued ? "; re-queued for another attempt" : ""), now);
        }
    }

    private void wakeClaimsAfterCommit() {
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    signal.signal();
                }
            });
        } else {
            signal.signal();
        }
    }

    JobView view(Job j) {
        Map<String, Object> recipe = j.recipeName() == null ? null
                : Map.of("name", j.recipeName(), "version", j.recipeVersion());
        Map<String, Object> calibration = j.calibrationDatasetName() == null ? null
                : Map.of("name", j.calibrationDatasetName(), "version", j.calibrationDatasetVersion());
        Map<String, Object> dataset = j.datasetName() == null ? null
                : Map.of("name", j.datasetName(), "version", j.datasetVersion());
        return new JobView(j.id(), j.type().name(), j.status().name(), j.progress(), j.attempts(), j.maxAttempts(),
                j.variantId(), j.type() == JobType.QUANTIZE ? store.followUpIds(j.id()) : List.of(), j.parentJobId(),
                j.error(), j.hardwareTarget(), j.workerId(), j.message(), j.cancelRequested(), j.leaseExpiresAt(),
                j.checkpointId(), recipe, calibration, dataset, CanonicalJson.mapper().readValue(j.followUpsJson(),
                        Object.class), j.createdAt(), j.createdBy(), j.startedAt(), j.finishedAt());
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

    private static UUID uuid(JsonNode node, String field) {
        try {
            return UUID.fromString(node.path(field).asString(""));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + " is required: the id the registration returned");
        }
    }

    private static String text(JsonNode result, String field, Object profile, String profileField) {
        String value = result.path(field).asString(null);
        if (value == null && profile instanceof Map<?, ?> p && p.get(profileField) != null) {
            value = String.valueOf(p.get(profileField));
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> mapOf(JsonNode result, String field) {
        JsonNode node = result.get(field);
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(field, "a SUCCEEDED result of this job type needs the '" + field + "' map");
        }
        return CanonicalJson.mapper().convertValue(node, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readMap(String json) {
        return new HashMap<String, Object>(CanonicalJson.mapper().readValue(json, Map.class));
    }
}
