package io.qreg.registry.job;

import java.util.LinkedHashMap;
import java.util.Map;
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

import org.springframework.stereotype.Component;

/**
 * What a claim hands the worker (docs/worker-protocol.md, "Claim"): the job's header and, per type, the
 * artifacts to download (checkpoint, variant, datasets, each with its sha256) and the recipe to apply.
 */
@Component
class JobAssignments {

    private final JobSettings settings;
    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelService models;
    private final VariantService variants;

    JobAssignments(JobSettings settings, CheckpointService checkpoints, RecipeService recipes,
            DatasetService datasets, ModelService models, VariantService variants) {
        this.settings = settings;
        this.checkpoints = checkpoints;
        this.recipes = recipes;
        this.datasets = datasets;
        this.models = models;
        this.variants = variants;
    }

    Map<String, Object> of(Job job) {
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
                a.put("recipe", recipe(recipes.get(job.recipeName(), job.recipeVersion())));
                a.put("calibrationDataset", job.calibrationDatasetName() == null ? null
                        : dataset(datasets.get(job.calibrationDatasetName(), job.calibrationDatasetVersion())));
            }
            case EVALUATE -> {
                // Without a variant the checkpoint is evaluated itself (its own reference).
                if (job.variantId() != null) {
                    a.put("variant", variant(job.variantId()));
                }
                a.put("dataset", dataset(datasets.get(job.datasetName(), job.datasetVersion())));
                a.put("task", models.get(cp.modelName()).task());
            }
            case BENCHMARK -> a.put("variant", variant(job.variantId()));
        }
        a.put("hardwareTarget", job.hardwareTarget());
        return a;
    }

    private static Map<String, Object> recipe(RecipeView r) {
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
        recipe.put("algorithm", r.algorithm());
        recipe.put("gptqDamp", r.gptqDamp());
        recipe.put("actOrder", r.actOrder());
        recipe.put("smoothQuantAlpha", r.smoothQuantAlpha());
        recipe.put("targetBitsPerWeight", r.targetBitsPerWeight());
        return recipe;
    }

    private Map<String, Object> variant(UUID id) {
        VariantRef v = variants.ref(id);
        return Map.of("id", v.id(), "sha256", v.sha256(), "sizeBytes", v.sizeBytes(), "contentUrl", v.contentUrl(),
                "method", v.method());
    }

    private static Map<String, Object> dataset(DatasetView d) {
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
}
