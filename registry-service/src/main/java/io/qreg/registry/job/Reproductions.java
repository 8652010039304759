package io.qreg.registry.job;

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
import io.qreg.worker.protocol.JobProduct;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * {@code POST /api/v1/variants/{id}/reproduce}: queues the variant's quantization again (its checkpoint, recipe
 * version and calibration dataset) as a QUANTIZE job that makes no variant. When a worker's result arrives, its
 * bytes are compared with the variant's by sha256 and the outcome is kept ({@link Reproduction}); the bytes are
 * dropped either way.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class Reproductions {

    private final VariantReproductions reproductions;
    private final Jobs store;
    private final JobSignal signal;
    private final JobSettings settings;
    private final JobViews views;
    private final HardwareTargetService targets;
    private final VariantService variants;
    private final AuditLog audit;

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
    String record(Job job, WorkerService.WorkerRef worker, JobProduct result, StagedFile file, Instant now) {
        VariantRef variant = variants.ref(job.reproducesVariantId());
        boolean identical = variant.sha256().equals(file.sha256());
        String engine = JobProducts.engineVersion(result, worker);
        String runtime = result.onnxRuntimeVersion();
        reproductions.insert(job.id(), variant.id(), worker.id(), engine, runtime, file.sha256(), file.sizeBytes(),
                identical, now);
        Reproduction done = reproductions.ofJob(job.id()).orElseThrow();
        audit.record("variant.reproduced", "variant", variant.id().toString(), null, done,
                Map.of("jobId", job.id().toString(), "identical", identical, "sha256", file.sha256()));
        return done.summary() + (identical ? "" : " (variant sha256 " + variant.sha256() + ", new " + file.sha256()
                + "; the new bytes were not kept)");
    }

    /** The variant's reproductions, newest first. */
    @Transactional(readOnly = true)
    public List<Reproduction> of(UUID variantId) {
        variants.ref(variantId);
        return reproductions.ofVariant(variantId);
    }

    /** The newest reproduction of the variant, if any (the variant page's line). */
    @Transactional(readOnly = true)
    public Optional<Reproduction> latest(UUID variantId) {
        return reproductions.latestOfVariant(variantId);
    }
}
