package io.qreg.registry.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/variants/{id}/reproduce}: queues the variant's quantization again (its checkpoint, recipe
 * version and calibration dataset) as a QUANTIZE job that makes no variant. When a worker's result arrives, its
 * bytes are compared with the variant's by sha256 and the outcome is kept ({@link Reproduction}); the bytes are
 * dropped either way.
 */
@Service
public class Reproductions {

    private final JdbcTemplate jdbc;
    private final Jobs store;
    private final JobSignal signal;
    private final JobSettings settings;
    private final JobViews views;
    private final HardwareTargetService targets;
    private final VariantService variants;
    private final AuditLog audit;

    Reproductions(JdbcTemplate jdbc, Jobs store, JobSignal signal, JobSettings settings, JobViews views,
            HardwareTargetService targets, VariantService variants, AuditLog audit) {
        this.jdbc = jdbc;
        this.store = store;
        this.signal = signal;
        this.settings = settings;
        this.views = views;
        this.targets = targets;
        this.variants = variants;
        this.audit = audit;
    }

    /** {@code hardwareTarget}: where to re-run it; absent, the target the variant's own job ran on. */
    public record ReproduceRequest(String hardwareTarget) {
    }

    @Transactional
    public JobView request(UUID variantId, ReproduceRequest request) {
        VariantRef variant = variants.ref(variantId);
        Job original = store.find(variants.producingJobId(variantId)).orElseThrow(
                () -> new IllegalStateException("variant " + variantId + " has no producing job"));
        String target = request == null || request.hardwareTarget() == null || request.hardwareTarget().isBlank()
                ? original.hardwareTarget() : request.hardwareTarget().trim();
        if (!targets.exists(target)) {
            throw new ApiException(HttpStatus.NOT_FOUND, "hardware target '" + target + "' does not exist",
                    "hardwareTarget");
        }
        Instant now = Timestamps.now();
        JobRequest.Versioned calibration = original.calibrationDatasetName() == null ? null
                : new JobRequest.Versioned(original.calibrationDatasetName(), original.calibrationDatasetVersion());
        Job job = Job.reproduce(variant.id(), original.checkpointId(),
                new JobRequest.Versioned(original.recipeName(), original.recipeVersion()), calibration, target,
                new Job.Submitted(settings.maxAttempts(), now, CurrentUser.username()));
        store.insert(job);
        store.log(job.id(), 0, JobLogEntry.Level.INFO, "submitted by " + job.createdBy() + " to reproduce variant "
                + variant.id() + " (sha256 " + variant.sha256() + ") on hardware target '" + target + "'", now);
        JobView view = views.view(job);
        audit.record("variant.reproduction-requested", "variant", variant.id().toString(), null, view,
                Map.of("jobId", job.id().toString(), "hardwareTarget", target));
        signal.signalAfterCommit();
        return view;
    }

    /**
     * Inside the result's transaction: compares the worker's bytes with the variant's, records the outcome, and
     * returns it in words for the job's message. The staged bytes are not committed, so the caller drops them.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    String record(Job job, WorkerService.WorkerRef worker, JsonNode result, StagedFile file, Instant now) {
        VariantRef variant = variants.ref(job.reproducesVariantId());
        boolean identical = variant.sha256().equals(file.sha256());
        String engine = JobProducts.engineVersion(result, worker);
        String runtime = result.path("onnxRuntimeVersion").asString(null);
        jdbc.update("""
                insert into variant_reproduction (job_id, variant_id, worker_id, worker_name, engine_version,
                                                  onnx_runtime_version, sha256, size_bytes, identical, reproduced_at)
                select ?, ?, w.id, w.name, ?, ?, ?, ?, ?, ? from worker w where w.id = ?""",
                job.id(), variant.id(), engine, runtime, file.sha256(), file.sizeBytes(), identical,
                Timestamp.from(now), worker.id());
        Reproduction done = forJob(job.id()).orElseThrow();
        audit.record("variant.reproduced", "variant", variant.id().toString(), null, done,
                Map.of("jobId", job.id().toString(), "identical", identical, "sha256", file.sha256()));
        return done.summary() + (identical ? "" : " (variant sha256 " + variant.sha256() + ", new " + file.sha256()
                + "; the new bytes were not kept)");
    }

    /** The variant's reproductions, newest first. */
    @Transactional(readOnly = true)
    public List<Reproduction> of(UUID variantId) {
        variants.ref(variantId);
        return jdbc.query("select * from variant_reproduction where variant_id = ? order by reproduced_at desc, job_id",
                Reproductions::map, variantId);
    }

    /** The newest reproduction of the variant, if any (the variant page's line). */
    @Transactional(readOnly = true)
    public Optional<Reproduction> latest(UUID variantId) {
        return jdbc.query("select * from variant_reproduction where variant_id = ? order by reproduced_at desc,"
                + " job_id limit 1", Reproductions::map, variantId).stream().findFirst();
    }

    private Optional<Reproduction> forJob(UUID jobId) {
        return jdbc.query("select * from variant_reproduction where job_id = ?", Reproductions::map, jobId).stream()
                .findFirst();
    }

    private static Reproduction map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        return new Reproduction(rs.getObject("job_id", UUID.class), rs.getObject("variant_id", UUID.class),
                rs.getObject("worker_id", UUID.class), rs.getString("worker_name"), rs.getString("engine_version"),
                rs.getString("onnx_runtime_version"), rs.getString("sha256"), rs.getLong("size_bytes"),
                rs.getBoolean("identical"), rs.getTimestamp("reproduced_at").toInstant());
    }
}
