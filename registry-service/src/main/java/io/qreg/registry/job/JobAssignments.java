package io.qreg.registry.job;

import java.util.UUID;

import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.variant.VariantRef;
import io.qreg.registry.variant.VariantService;
import io.qreg.worker.protocol.ArtifactRef;
import io.qreg.worker.protocol.DatasetRef;
import io.qreg.worker.protocol.JobAssignment;
import io.qreg.worker.protocol.RecipeOptions;

import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * What a claim hands the worker (docs/worker-protocol.md, "Claim"): the job's header and, per type, the
 * artifacts to download (checkpoint, variant, datasets, each with its sha256) and the recipe to apply.
 */
@Component
@RequiredArgsConstructor
class JobAssignments {

    private final JobSettings settings;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelService models;
    private final VariantService variants;

    /** The claim response as the protocol's record; its {@code toJson()} is what goes on the wire. */
    JobAssignment of(Job job) {
        CheckpointView cp = checkpoints.get(job.checkpointId());
        ArtifactRef checkpoint = ArtifactRef.checkpoint(cp.id().toString(), cp.sha256(), cp.sizeBytes(),
                "/api/v1/checkpoints/" + cp.id() + "/content");
        RecipeOptions recipe = null;
        DatasetRef calibration = null;
        ArtifactRef variant = null;
        DatasetRef dataset = null;
        String task = null;
        switch (job.type()) {
            case QUANTIZE -> {
                recipe = recipe(recipes.get(job.recipeName(), job.recipeVersion()));
                calibration = job.calibrationDatasetName() == null ? null
                        : dataset(datasets.get(job.calibrationDatasetName(), job.calibrationDatasetVersion()));
            }
            case EVALUATE -> {
                // Without a variant the checkpoint is evaluated itself (its own reference).
                variant = job.variantId() == null ? null : variant(job.variantId());
                dataset = dataset(datasets.get(job.datasetName(), job.datasetVersion()));
                task = models.get(cp.modelName()).task();
            }
            case BENCHMARK -> variant = variant(job.variantId());
        }
        return new JobAssignment(job.id().toString(), job.type().name(), job.attempts(), settings.leaseSeconds(),
                job.leaseExpiresAt(), settings.heartbeatSeconds(), checkpoint, recipe, calibration, variant, dataset,
                task, job.hardwareTarget(), null);
    }

    private static RecipeOptions recipe(RecipeView r) {
        return new RecipeOptions(r.name(), r.version(), r.hash(), r.method(), r.perChannel(), r.symmetric(),
                r.blockSize(), r.calibrationMethod(), r.percentile(), r.excludeNodes(), r.excludeOpTypes(),
                r.accuracyBudget(), r.algorithm(), r.gptqDamp(), r.actOrder(), r.smoothQuantAlpha(),
                r.targetBitsPerWeight());
    }

    private ArtifactRef variant(UUID id) {
        VariantRef v = variants.ref(id);
        return new ArtifactRef(v.id().toString(), v.sha256(), v.sizeBytes(), v.contentUrl(), v.method());
    }

    private static DatasetRef dataset(DatasetView d) {
        return new DatasetRef(d.name(), d.version(), d.sha256(), d.format(),
                "/api/v1/datasets/" + d.name() + "/versions/" + d.version() + "/content", d.hasLabels(), d.hasSlices());
    }
}
