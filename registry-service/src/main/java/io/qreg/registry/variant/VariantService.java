package io.qreg.registry.variant;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.artifact.ArtifactService;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.web.ApiException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Records what succeeded jobs produce: one variant per QUANTIZE job (its artifact stored
 * content-addressed), and the evaluations and benchmarks measured on variants (and evaluations of
 * checkpoints themselves). Everything is written inside the caller's transaction, so a job's
 * outcome and its product commit together; each evaluation and benchmark publishes
 * {@link EvidenceRecorded} there too.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class VariantService {

    private final Variants variants;
    private final ArtifactService artifacts;
    private final ModelService models;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    /** Stores the artifact and the variant; a second call for the same job returns the first variant. */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID create(NewVariant v) {
        Optional<UUID> existing = variants.idOfJob(v.jobId());
        if (existing.isPresent()) {
            return existing.get();
        }
        artifacts.commit(v.artifact());
        UUID id = UUID.randomUUID();
        variants.insert(id, v);
        audit.record("variant.created", "variant", id.toString(), null, v.lineage(),
                Map.of("jobId", v.jobId().toString(), "sha256", v.artifact().sha256(), "method", v.method()));
        events.publishEvent(new VariantCreated(id, models.nameOf(v.modelId()), v.method(), v.artifact().sha256(),
                v.artifact().sizeBytes(), v.jobId()));
        return id;
    }

    /**
     * The evaluation map a worker reports: metrics, referenceMetrics, deltas, slices, samples, flipRateByClass,
     * selectiveRouting.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID addEvaluation(UUID variantId, UUID jobId, String datasetName, int datasetVersion,
            Map<String, Object> evaluation, Object hardwareProfile) {
        return recordEvaluation(variantId, null, jobId, datasetName, datasetVersion, evaluation, hardwareProfile);
    }

    /** An evaluation of a checkpoint itself (the FP32 model's own evidence); its deltas are against itself. */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID addCheckpointEvaluation(UUID checkpointId, UUID jobId, String datasetName, int datasetVersion,
            Map<String, Object> evaluation, Object hardwareProfile) {
        return recordEvaluation(null, checkpointId, jobId, datasetName, datasetVersion, evaluation, hardwareProfile);
    }

    private UUID recordEvaluation(UUID variantId, UUID checkpointId, UUID jobId, String datasetName,
            int datasetVersion, Map<String, Object> evaluation, Object hardwareProfile) {
        Optional<UUID> existing = variants.evaluationOfJob(jobId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Map<String, Object> e = evaluation == null ? Map.of() : evaluation;
        UUID id = UUID.randomUUID();
        variants.insertEvaluation(id, variantId, checkpointId, jobId, datasetName, datasetVersion, e,
                hardwareProfile);
        boolean ofVariant = variantId != null;
        audit.record("evaluation.recorded", ofVariant ? "variant" : "checkpoint",
                (ofVariant ? variantId : checkpointId).toString(), null, e,
                Map.of("jobId", jobId.toString(), "dataset", datasetName + "@" + datasetVersion));
        events.publishEvent(new EvidenceRecorded(variantId, checkpointId,
                ofVariant ? modelOfVariant(variantId) : modelOfCheckpoint(checkpointId), EvidenceRecorded.EVALUATION,
                id));
        return id;
    }

    /** The variant's newest evaluation that has a selective-routing curve, if any. */
    @Transactional(readOnly = true)
    public Optional<RoutingCurveEvidence> routingCurve(UUID variantId) {
        return variants.routingCurve(variantId);
    }

    private String modelOfVariant(UUID variantId) {
        return models.nameOf(variants.modelIdOfVariant(variantId));
    }

    private String modelOfCheckpoint(UUID checkpointId) {
        return models.nameOf(variants.modelIdOfCheckpoint(checkpointId));
    }

    /**
     * The benchmark map a worker reports: {@code results[]} with one entry per model, the FP32
     * checkpoint first and the variant second; latency and speed-up are the variant's entry's.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID addBenchmark(UUID variantId, UUID jobId, String hardwareTarget, Map<String, Object> benchmark,
            Object hardwareProfile) {
        Optional<UUID> existing = variants.benchmarkOfJob(jobId);
        if (existing.isPresent()) {
            return existing.get();
        }
        Map<String, Object> b = benchmark == null ? Map.of() : benchmark;
        UUID id = UUID.randomUUID();
        variants.insertBenchmark(id, variantId, jobId, hardwareTarget, b, hardwareProfile);
        audit.record("benchmark.recorded", "variant", variantId.toString(), null, b,
                Map.of("jobId", jobId.toString(), "hardwareTarget", hardwareTarget));
        events.publishEvent(new EvidenceRecorded(variantId, null, modelOfVariant(variantId), EvidenceRecorded.BENCHMARK,
                id));
        return id;
    }

    @Transactional(readOnly = true)
    public VariantRef ref(UUID id) {
        return variants.ref(id).orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The {@link PrecisionLabel} of each of {@code ids} that names a variant, read in one query. */
    @Transactional(readOnly = true)
    public Map<UUID, String> precisionLabels(Collection<UUID> ids) {
        return variants.precisionLabels(ids);
    }

    /** The QUANTIZE job that produced the variant, whose submitter counts as the variant's producer. */
    @Transactional(readOnly = true)
    public UUID producingJobId(UUID id) {
        return variants.producingJobId(id).orElseThrow(() -> ApiException.notFound("variant", id));
    }

    @Transactional(readOnly = true)
    public VariantView get(UUID id) {
        return variants.find(id, models::nameOf).orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The evaluations of a checkpoint itself, oldest first, in the shape of a variant's. */
    @Transactional(readOnly = true)
    public List<VariantView.EvaluationView> checkpointEvaluations(UUID checkpointId) {
        if (!variants.checkpointExists(checkpointId)) {
            throw ApiException.notFound("checkpoint", checkpointId);
        }
        return variants.checkpointEvaluations(checkpointId);
    }

    /** The model's active variants, newest first. */
    @Transactional(readOnly = true)
    public Page<VariantSummary> listForModel(String modelName, Pageable pageable) {
        return listForModel(modelName, null, false, pageable);
    }

    /** The model's variants with the tag (null: any), archived ones instead of active ones when {@code archived}. */
    @Transactional(readOnly = true)
    public Page<VariantSummary> listForModel(String modelName, TagFilter tag, boolean archived, Pageable pageable) {
        return variants.pageOfModel(models.get(modelName), tag, archived, pageable);
    }

    /**
     * The model's variants, newest first, at most {@code limit}, each with every evaluation and
     * benchmark (as {@link #get} returns them) read in three queries in all, not three per variant.
     */
    @Transactional(readOnly = true)
    public List<VariantView> fullForModel(String modelName, int limit) {
        return variants.newestOfModel(models.get(modelName), limit);
    }

    @Transactional(readOnly = true)
    public long countForModel(String modelName) {
        return variants.countOfModel(models.get(modelName).id());
    }

    /** The latest variants of every model, newest first, with their measurements (see {@link #fullForModel}). */
    @Transactional(readOnly = true)
    public List<VariantView> recent(int limit) {
        return variants.newest(limit, models::nameOf);
    }

    /** These variants, in no particular order, with their measurements (see {@link #fullForModel}); unknown ids are skipped. */
    @Transactional(readOnly = true)
    public List<VariantView> full(Collection<UUID> ids) {
        return variants.full(ids, models::nameOf);
    }

    /** The stored bytes and the digest that names them. */
    public record Content(Resource resource, String sha256, String filename) {
    }

    @Transactional(readOnly = true)
    public Content content(UUID id) {
        VariantRef v = ref(id);
        return new Content(artifacts.open(v.sha256()), v.sha256(), "variant-" + id + "-" + v.method() + ".onnx");
    }
}
