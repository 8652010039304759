package io.qreg.registry.job;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.checkpoint.CheckpointService;
import io.qreg.registry.checkpoint.CheckpointView;
import io.qreg.registry.dataset.DatasetService;
import io.qreg.registry.dataset.DatasetView;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.recipe.RecipeService;
import io.qreg.registry.recipe.RecipeView;
import io.qreg.registry.variant.NewVariant;
import io.qreg.registry.variant.VariantService;
import io.qreg.registry.web.ApiException;
import io.qreg.worker.protocol.JobProduct;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Records what a succeeded attempt produced, inside the result's transaction: the variant of a QUANTIZE job (with
 * its lineage), the evaluation of an EVALUATE job, the benchmark of a BENCHMARK job. A QUANTIZE result that
 * quantized nothing is no variant: {@link #nothingQuantized} says why, and the job fails instead.
 */
@Component
@RequiredArgsConstructor
class JobProducts {

    static final String NOTHING_QUANTIZED = "nothing was quantized: ";

    private final CheckpointService checkpoints;
    private final RecipeService recipes;
    private final DatasetService datasets;
    private final ModelService models;
    private final VariantService variants;

    /** Records the product; returns the new variant's id for a QUANTIZE job, else null. */
    UUID record(Job job, WorkerService.WorkerRef worker, JobProduct result, StagedFile file) {
        Object profile = worker.hardwareProfile();
        switch (job.type()) {
            case QUANTIZE -> {
                return variant(job, worker, result, file);
            }
            case EVALUATE -> {
                if (job.variantId() == null) {
                    variants.addCheckpointEvaluation(job.checkpointId(), job.id(), job.datasetName(),
                            job.datasetVersion(), required("evaluation", result.evaluation()), profile);
                } else {
                    variants.addEvaluation(job.variantId(), job.id(), job.datasetName(), job.datasetVersion(),
                            required("evaluation", result.evaluation()), profile);
                }
                return null;
            }
            default -> {
                variants.addBenchmark(job.variantId(), job.id(), job.hardwareTarget(),
                        required("benchmark", result.benchmark()), profile);
                return null;
            }
        }
    }

    /**
     * Why a SUCCEEDED QUANTIZE result must not become a variant, if it must not: its artifact is the checkpoint's
     * own bytes, or its report's {@code precisionMix} counts no quantized layer. A report without
     * {@code precisionMix} (older workers) is judged on the bytes alone. Other job types: always empty.
     */
    Optional<String> nothingQuantized(Job job, JobProduct result, StagedFile file) {
        if (job.type() != JobType.QUANTIZE) {
            return Optional.empty();
        }
        requireArtifact(result, file);
        CheckpointView cp = checkpoints.get(job.checkpointId());
        String checkpoint = "checkpoint " + cp.modelName() + "@" + cp.version();
        if (file.sha256().equals(cp.sha256())) {
            return Optional.of(NOTHING_QUANTIZED + "the artifact is byte-identical to " + checkpoint);
        }
        if (result.quantizedLayers().orElse(-1L) == 0) {
            return Optional.of(NOTHING_QUANTIZED + "0 of " + result.totalLayers().map(String::valueOf).orElse("its")
                    + " layers of " + checkpoint + " are in a quantized precision (report.precisionMix): the recipe"
                    + " left every layer in floating point");
        }
        return Optional.empty();
    }

    private static void requireArtifact(JobProduct result, StagedFile file) {
        if (file == null) {
            throw ApiException.invalid("file", "a SUCCEEDED QUANTIZE result needs the quantized model in part 'file'");
        }
        String claimed = result.sha256();
        if (claimed != null && !claimed.equals(file.sha256())) {
            throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "sha256 mismatch: the result says "
                    + claimed + " but the received " + file.sizeBytes() + " bytes hash to " + file.sha256(),
                    "sha256");
        }
    }

    private UUID variant(Job job, WorkerService.WorkerRef worker, JobProduct result, StagedFile file) {
        requireArtifact(result, file);
        Object profile = worker.hardwareProfile();
        CheckpointView cp = checkpoints.get(job.checkpointId());
        RecipeView recipe = recipes.get(job.recipeName(), job.recipeVersion());
        Map<String, Object> lineage = new LinkedHashMap<>();
        lineage.put("checkpointSha256", cp.sha256());
        Map<String, Object> recipeLineage = new LinkedHashMap<>(Map.of("name", recipe.name(), "version",
                recipe.version(), "hash", recipe.hash(), "method", recipe.method()));
        if (recipe.algorithm() != null) {
            recipeLineage.put("algorithm", recipe.algorithm());
        }
        lineage.put("recipe", recipeLineage);
        if (job.calibrationDatasetName() != null) {
            DatasetView d = datasets.get(job.calibrationDatasetName(), job.calibrationDatasetVersion());
            lineage.put("calibrationDataset", Map.of("name", d.name(), "version", d.version(), "sha256", d.sha256()));
        } else {
            lineage.put("calibrationDataset", null);
        }
        lineage.put("workerId", worker.id());
        lineage.put("hardwareProfile", profile);
        lineage.put("engineVersion", engineVersion(result, worker));
        lineage.put("onnxRuntimeVersion", orRegistered(result.onnxRuntimeVersion(), profile, "onnxRuntimeVersion"));
        lineage.put("jobId", job.id());
        ModelView model = models.get(cp.modelName());
        return variants.create(new NewVariant(job.id(), model.id(), cp.id(), file, recipe.method(), lineage,
                result.report()));
    }

    /**
     * The engine version a result was made with: what the worker reports with it, else what it registered with
     * (workers older than the result field). Reuse and lineage both read it here.
     */
    static String engineVersion(JobProduct result, WorkerService.WorkerRef worker) {
        return orRegistered(result.engineVersion(), worker.hardwareProfile(), "engineVersion");
    }

    private static String orRegistered(String reported, Object profile, String profileField) {
        if (reported == null && profile instanceof Map<?, ?> p && p.get(profileField) != null) {
            return String.valueOf(p.get(profileField));
        }
        return reported;
    }

    private static Map<String, Object> required(String field, Map<String, Object> section) {
        if (section == null) {
            throw ApiException.invalid(field, "a SUCCEEDED result of this job type needs the '" + field + "' map");
        }
        return section;
    }
}
