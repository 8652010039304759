package io.qreg.registry.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.engine.quant.Method;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.checkpoint.TensorSpec;
import io.qreg.registry.dataset.DatasetArray;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * {@code POST /api/v1/jobs}: checks a request against what it names (checkpoint, recipe, datasets, hardware
 * targets, follow-ups) and queues the job. Unknown or malformed references are 400/404 naming the field; inputs
 * that exist but cannot fit the model end the job FAILED at once, before any worker spends time on it.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class JobSubmission {

    private static final Set<String> LABELLED_TASKS = Set.of("classification", "language-model");

    private final Jobs store;
    private final JobSignal signal;
    private final JobSettings settings;
    private final JobViews views;
    private final HardwareTargetService targets;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelService models;
    private final VariantService variants;
    private final VariantReuse reuse;
    private final FollowUpJobs followUpJobs;
    private final AuditLog audit;

    @Transactional
    public JobView submit(JobRequest r) {
        if (r == null || r.type() == null) {
            throw ApiException.invalid("type", "type is required: QUANTIZE, EVALUATE or BENCHMARK");
        }
        JobType type;
        try {
            type = JobType.valueOf(r.type().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("type", "type must be QUANTIZE, EVALUATE or BENCHMARK, got '" + r.type() + "'");
        }
        int maxAttempts = r.maxAttempts() == null ? settings.maxAttempts() : r.maxAttempts();
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw ApiException.invalid("maxAttempts", "maxAttempts must be between 1 and 10, got " + maxAttempts);
        }
        if (r.force() != null && type != JobType.QUANTIZE) {
            throw ApiException.invalid("force", "force only applies to QUANTIZE jobs (make a new variant even if an"
                    + " identical run made one); a " + type + " job always runs");
        }
        String target = requireTarget(r.hardwareTarget(), "hardwareTarget");
        Instant now = Timestamps.now();
        Job.Submitted submitted = new Job.Submitted(maxAttempts, now, CurrentUser.username());
        List<String> misfits = new ArrayList<>();
        Job job = switch (type) {
            case QUANTIZE -> quantize(r, target, submitted, misfits);
            case EVALUATE -> evaluate(r, target, submitted, misfits);
            case BENCHMARK -> {
                VariantRef variant = requireVariant(r.variantId());
                yield Job.benchmark(variant.checkpointId(), variant.id(), target, null, submitted);
            }
        };
        if (!misfits.isEmpty()) {
            job.refuse(String.join("; ", misfits), now);
        } else {
            reuse.atSubmission(job).ifPresent(same -> job.reuse(same.variantId(), same.why(), now));
        }
        store.insert(job);
        store.log(job.id(), 0, JobLogEntry.Level.INFO, "submitted by " + job.createdBy() + " for hardware target '"
                + target + "'", now);
        JobView view = views.view(job);
        audit.record("job.submitted", "job", job.id().toString(), null, view,
                Map.of("type", type.name(), "hardwareTarget", target));
        if (job.reused()) {
            reused(job, now);
        } else if (job.status() == JobStatus.FAILED) {
            store.update(job);
            store.log(job.id(), 0, JobLogEntry.Level.ERROR, "refused before any attempt: " + job.error(), now);
            audit.record("job.failed", "job", job.id().toString(), null, views.view(job),
                    Map.of("attempt", 0, "retryable", false, "error", job.error()));
        } else {
            signal.signalAfterCommit();
        }
        return views.view(job);
    }

    /** Recorded like a worker's result: the job's history, the audit trail, and the follow-ups on the variant. */
    private void reused(Job job, Instant now) {
        store.log(job.id(), 0, JobLogEntry.Level.INFO, "succeeded without a run; " + job.message(), now);
        List<UUID> followUps = followUpJobs.queue(job, now);
        audit.record("job.reused", "job", job.id().toString(), null, views.view(job),
                Map.of("variantId", job.variantId().toString(), "followUpJobIds", followUps.toString()));
        if (!followUps.isEmpty()) {
            signal.signalAfterCommit();
        }
    }

    private Job quantize(JobRequest r, String target, Job.Submitted submitted, List<String> misfits) {
        CheckpointView cp = requireCheckpoint(r.checkpointId());
        RecipeView recipe = requireRecipe(r.recipe());
        DatasetView calibration = r.calibrationDataset() == null ? null
                : requireDataset(r.calibrationDataset(), "calibrationDataset");
        QuantizedCheckpointRule.check(cp, recipe, calibration != null);
        if (calibration == null && Method.INT8_STATIC.wireName().equals(recipe.method())) {
            throw ApiException.invalid("calibrationDataset", "recipe " + recipe.name() + "@"
                    + recipe.version() + " is int8-static, which needs a calibrationDataset {name, version}"
                    + " to compute activation ranges");
        }
        if (calibration == null) {
            CalibrationNeed.of(recipe).ifPresent(why -> {
                throw ApiException.invalid("calibrationDataset", "recipe " + recipe.name() + "@" + recipe.version()
                        + " " + why + ", which needs a calibrationDataset {name, version}");
            });
        }
        if (calibration != null) {
            requirePurpose(calibration, "calibration", "calibrationDataset");
            inputsMismatch(calibration, cp, "calibrationDataset").ifPresent(misfits::add);
        }
        List<PlannedFollowUp> followUps = followUps(r.followUps(), cp, misfits);
        return Job.quantize(cp.id(), new JobRequest.Versioned(recipe.name(), recipe.version()),
                calibration == null ? null : versioned(calibration), target, CanonicalJson.write(followUps),
                Boolean.TRUE.equals(r.force()), submitted);
    }

    /** Of a variant (against its checkpoint) or of a checkpoint itself: exactly one of the two is named. */
    private Job evaluate(JobRequest r, String target, Job.Submitted submitted, List<String> misfits) {
        if ((r.variantId() == null) == (r.checkpointId() == null)) {
            throw ApiException.invalid("variantId", "an EVALUATE job names exactly one of variantId (a variant,"
                    + " against its checkpoint) and checkpointId (the checkpoint itself); got "
                    + (r.variantId() == null ? "neither" : "both"));
        }
        UUID variantId = null;
        CheckpointView cp;
        if (r.variantId() != null) {
            VariantRef variant = requireVariant(r.variantId());
            variantId = variant.id();
            cp = checkpoints.get(variant.checkpointId());
        } else {
            cp = ApiException.naming("checkpointId", () -> checkpoints.get(r.checkpointId()));
        }
        DatasetView dataset = requireEvaluationDataset(r.dataset(), cp, "dataset", misfits);
        return Job.evaluate(cp.id(), variantId, versioned(dataset), target, null, submitted);
    }

    private List<PlannedFollowUp> followUps(List<JobRequest.FollowUp> requested, CheckpointView cp,
            List<String> misfits) {
        List<PlannedFollowUp> followUps = new ArrayList<>();
        if (requested == null) {
            return followUps;
        }
        for (int i = 0; i < requested.size(); i++) {
            JobRequest.FollowUp f = requested.get(i);
            String field = "followUps[" + i + "]";
            String type = f == null || f.type() == null ? "" : f.type().trim().toUpperCase(Locale.ROOT);
            followUps.add(switch (type) {
                case "EVALUATE" -> {
                    DatasetView d = requireEvaluationDataset(f.dataset(), cp, field + ".dataset", misfits);
                    yield PlannedFollowUp.evaluate(versioned(d),
                            requireTarget(f.hardwareTarget(), field + ".hardwareTarget"));
                }
                case "BENCHMARK" -> PlannedFollowUp.benchmark(requireTarget(f.hardwareTarget(),
                        field + ".hardwareTarget"));
                default -> throw ApiException.invalid(field + ".type",
                        "a follow-up is {type: EVALUATE, dataset: {name, version}} or {type: BENCHMARK,"
                                + " hardwareTarget}; got type '" + (f == null ? null : f.type()) + "'");
            });
        }
        return followUps;
    }

    private static JobRequest.Versioned versioned(DatasetView d) {
        return new JobRequest.Versioned(d.name(), d.version());
    }

    private CheckpointView requireCheckpoint(UUID id) {
        if (id == null) {
            throw ApiException.invalid("checkpointId", "checkpointId is required for a QUANTIZE job");
        }
        return ApiException.naming("checkpointId", () -> checkpoints.get(id));
    }

    private RecipeView requireRecipe(JobRequest.Versioned recipe) {
        if (recipe == null || recipe.name() == null || recipe.version() == null) {
            throw ApiException.invalid("recipe", "recipe {name, version} is required for a QUANTIZE job");
        }
        return ApiException.naming("recipe", () -> recipes.get(recipe.name(), recipe.version()));
    }

    private VariantRef requireVariant(UUID id) {
        if (id == null) {
            throw ApiException.invalid("variantId", "variantId is required for EVALUATE and BENCHMARK jobs");
        }
        return ApiException.naming("variantId", () -> variants.ref(id));
    }

    private DatasetView requireDataset(JobRequest.Versioned d, String field) {
        if (d == null || d.name() == null || d.version() == null) {
            throw ApiException.invalid(field, field + " {name, version} is required");
        }
        return ApiException.naming(field, () -> datasets.get(d.name(), d.version()));
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
}
