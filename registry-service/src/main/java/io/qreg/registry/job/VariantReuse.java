package io.qreg.registry.job;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.variant.IdenticalRuns;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * One artifact per identical run: a QUANTIZE job with the same checkpoint, recipe version, calibration dataset and
 * engine version as an existing variant returns that variant instead of making a byte-identical copy.
 *
 * <p>The engine version is the one thing a request does not name. At submission the registry knows which workers
 * could claim the job (live, matching the hardware target) and the engine version each registered with: when they
 * all run one version and a variant made with it exists, the job succeeds at once, never queued. When they differ,
 * or none is live, the job is queued; when its result arrives, the engine version the worker reports with it
 * decides, and an identical run's variant (perhaps made meanwhile) is the job's product, the new bytes dropped.
 * {@code "force": true} and reproductions never reuse.
 */
@Component
@RequiredArgsConstructor
class VariantReuse {

    private final WorkerService workers;
    private final IdenticalRuns identicalRuns;

    /** The variant to return and why, as the job's message says it. */
    record Reuse(UUID variantId, String why) {
    }

    /** Before queueing: only when every worker that could run the job runs one engine version. */
    Optional<Reuse> atSubmission(Job job) {
        if (!eligible(job)) {
            return Optional.empty();
        }
        Set<String> versions = workers.engineVersionsFor(job.hardwareTarget());
        if (versions.size() != 1 || versions.contains("")) {
            return Optional.empty();
        }
        return find(job, versions.iterator().next());
    }

    /** When a worker reports its result, made with {@code engineVersion}. */
    Optional<Reuse> afterRun(Job job, String engineVersion) {
        return eligible(job) && engineVersion != null ? find(job, engineVersion) : Optional.empty();
    }

    private static boolean eligible(Job job) {
        return job.type() == JobType.QUANTIZE && !job.force() && job.reproducesVariantId() == null;
    }

    private Optional<Reuse> find(Job job, String engineVersion) {
        return identicalRuns.madeBy(new IdenticalRuns.RunInputs(job.checkpointId(), job.recipeName(),
                job.recipeVersion(), job.calibrationDatasetName(), job.calibrationDatasetVersion(), engineVersion))
                .map(id -> new Reuse(id, "reused variant " + id + ": an identical run made it (the same checkpoint,"
                        + " recipe " + job.recipeName() + "@" + job.recipeVersion() + ", calibration dataset "
                        + (job.calibrationDatasetName() == null ? "none"
                                : job.calibrationDatasetName() + "@" + job.calibrationDatasetVersion())
                        + " and engine version " + engineVersion + "); \"force\": true makes a new one"));
    }
}
