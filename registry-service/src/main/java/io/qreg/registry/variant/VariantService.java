package io.qreg.registry.variant;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.engine.eval.SelectiveRoutingCurve;
import io.qreg.registry.artifact.ArtifactService;
import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.core.io.Resource;
import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Records what succeeded jobs produce: one variant per QUANTIZE job (its artifact stored
 * content-addressed), and the evaluations and benchmarks measured on variants (and evaluations of
 * checkpoints themselves). Everything is written inside the caller's transaction, so a job's
 * outcome and its product commit together; each evaluation and benchmark publishes
 * {@link EvidenceRecorded} there too.
 */
@Service
public class VariantService {

    private final JdbcTemplate jdbc;
    private final ArtifactService artifacts;
    private final ModelService models;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;

    VariantService(JdbcTemplate jdbc, ArtifactService artifacts, ModelService models, AuditLog audit,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.artifacts = artifacts;
        this.models = models;
        this.audit = audit;
        this.events = events;
    }

    /** Stores the artifact and the variant; a second call for the same job returns the first variant. */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID create(NewVariant v) {
        List<UUID> existing = jdbc.queryForList("select id from variant where job_id = ?", UUID.class, v.jobId());
        if (!existing.isEmpty()) {
            return existing.get(0);
        }
        artifacts.commit(v.artifact());
        UUID id = UUID.randomUUID();
        jdbc.update("""
                insert into variant (id, job_id, model_id, checkpoint_id, sha256, size_bytes, method, lineage, report,
                                     created_at, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)""",
                id, v.jobId(), v.modelId(), v.checkpointId(), v.artifact().sha256(), v.artifact().sizeBytes(),
                v.method(), CanonicalJson.write(v.lineage()), v.report() == null ? null : CanonicalJson.write(v.report()),
                Timestamp.from(Timestamps.now()), CurrentUser.username());
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
        List<UUID> existing = jdbc.queryForList("select id from evaluation where job_id = ?", UUID.class, jobId);
        if (!existing.isEmpty()) {
            return existing.get(0);
        }
        Map<String, Object> e = evaluation == null ? Map.of() : evaluation;
        UUID id = UUID.randomUUID();
        jdbc.update("""
                insert into evaluation (id, variant_id, checkpoint_id, job_id, dataset_name, dataset_version, metrics,
                                        reference_metrics, deltas, slices, samples, hardware_profile, created_at,
                                        flip_rate_by_class, selective_routing)
                values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?, ?::jsonb, ?::jsonb)""",
                id, variantId, checkpointId, jobId, datasetName, datasetVersion,
                json(e.getOrDefault("metrics", Map.of())), json(e.get("referenceMetrics")), json(e.get("deltas")),
                json(e.get("slices")), e.get("samples") instanceof Number n ? n.longValue() : null,
                json(hardwareProfile), Timestamp.from(Timestamps.now()), json(e.get("flipRateByClass")),
                // A checkpoint evaluated on its own is its own reference: its "curve" has nothing to recover.
                variantId == null ? null : json(e.get("selectiveRouting")));
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
        return jdbc.query("select id, dataset_name, dataset_version, created_at, selective_routing from evaluation"
                + " where variant_id = ? and selective_routing is not null order by created_at desc, id desc limit 1",
                (rs, n) -> new RoutingCurveEvidence(rs.getObject("id", UUID.class),
                        rs.getString("dataset_name") + "@" + rs.getInt("dataset_version"),
                        rs.getTimestamp("created_at").toInstant(), CanonicalJson.mapper().readValue(
                                rs.getString("selective_routing"), SelectiveRoutingCurve.class)), variantId)
                .stream().findFirst();
    }

    private String modelOfVariant(UUID variantId) {
        return models.nameOf(jdbc.queryForObject("select model_id from variant where id = ?", UUID.class, variantId));
    }

    private String modelOfCheckpoint(UUID checkpointId) {
        return models.nameOf(jdbc.queryForObject("select model_id from checkpoint where id = ?", UUID.class,
                checkpointId));
    }

    /**
     * The benchmark map a worker reports: {@code results[]} with one entry per model, the FP32
     * checkpoint first and the variant second; latency and speed-up are the variant's entry's.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public UUID addBenchmark(UUID variantId, UUID jobId, String hardwareTarget, Map<String, Object> benchmark,
            Object hardwareProfile) {
        List<UUID> existing = jdbc.queryForList("select id from benchmark where job_id = ?", UUID.class, jobId);
        if (!existing.isEmpty()) {
            return existing.get(0);
        }
        Map<String, Object> b = benchmark == null ? Map.of() : benchmark;
        Map<?, ?> entry = variantEntry(b.get("results"));
        // The worker's bootstrap intervals (engine SpeedupInterval); absent from older workers' reports.
        Map<?, ?> speedupInterval = entry.get("speedupInterval") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> p99Interval = entry.get("latencyP99IntervalMs") instanceof Map<?, ?> m ? m : Map.of();
        UUID id = UUID.randomUUID();
        jdbc.update("""
                insert into benchmark (id, variant_id, job_id, hardware_target, hardware_profile, latency_p50_ms,
                                       latency_p99_ms, speedup, results, created_at, speedup_low, speedup_high,
                                       latency_p99_high_ms, speedup_noisy)
                values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)""",
                id, variantId, jobId, hardwareTarget, json(hardwareProfile), number(entry, "latencyP50Ms"),
                number(entry, "latencyP99Ms"), number(entry, "speedup"), CanonicalJson.write(b),
                Timestamp.from(Timestamps.now()), number(speedupInterval, "low"), number(speedupInterval, "high"),
                number(p99Interval, "high"), speedupInterval.get("noisy") instanceof Boolean noisy ? noisy : null);
        audit.record("benchmark.recorded", "variant", variantId.toString(), null, b,
                Map.of("jobId", jobId.toString(), "hardwareTarget", hardwareTarget));
        events.publishEvent(new EvidenceRecorded(variantId, null, modelOfVariant(variantId), EvidenceRecorded.BENCHMARK,
                id));
        return id;
    }

    private static Map<?, ?> variantEntry(Object results) {
        if (results instanceof List<?> list && !list.isEmpty()) {
            Object entry = list.size() >= 2 ? list.get(1) : list.get(0);
            if (entry instanceof Map<?, ?> m) {
                return m;
            }
        }
        return Map.of();
    }

    private static Double number(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    @Transactional(readOnly = true)
    public VariantRef ref(UUID id) {
        return jdbc.query("select id, checkpoint_id, sha256, size_bytes, method from variant where id = ?",
                (rs, n) -> new VariantRef(rs.getObject("id", UUID.class), rs.getObject("checkpoint_id", UUID.class),
                        rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("method"),
                        "/api/v1/variants/" + id + "/content"), id)
                .stream().findFirst().orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The {@link PrecisionLabel} of each of {@code ids} that names a variant, read in one query. */
    @Transactional(readOnly = true)
    public Map<UUID, String> precisionLabels(Collection<UUID> ids) {
        Map<UUID, String> labels = new HashMap<>();
        if (ids.isEmpty()) {
            return labels;
        }
        jdbc.query("select id, method, report -> 'precisionMix' as mix from variant where id = any(?::uuid[])",
                rs -> {
                    labels.put(rs.getObject("id", UUID.class), PrecisionLabel.of(rs.getString("method"),
                            map(rs.getString("mix"))));
                }, (Object) ids.toArray(UUID[]::new));
        return labels;
    }

    /** The QUANTIZE job that produced the variant, whose submitter counts as the variant's producer. */
    @Transactional(readOnly = true)
    public UUID producingJobId(UUID id) {
        return jdbc.queryForList("select job_id from variant where id = ?", UUID.class, id).stream().findFirst()
                .orElseThrow(() -> ApiException.notFound("variant", id));
    }

    @Transactional(readOnly = true)
    public VariantView get(UUID id) {
        List<VariantView> found = jdbc.query("select * from variant where id = ?", (rs, n) -> {
            List<VariantView.EvaluationView> evaluations = jdbc.query(
                    "select e.*, d.sha256 as dataset_sha256, d.slice_names as dataset_slice_names from evaluation e join dataset d"
                            + " on d.name = e.dataset_name and d.version = e.dataset_version"
                            + " where e.variant_id = ? order by e.created_at, e.id",
                    VariantService::evaluation, id);
            List<VariantView.BenchmarkView> benchmarks = jdbc.query(
                    "select * from benchmark where variant_id = ? order by created_at, id",
                    VariantService::benchmark, id);
            return new VariantView(id, models.nameOf(rs.getObject("model_id", UUID.class)),
                    rs.getObject("checkpoint_id", UUID.class), rs.getString("sha256"), rs.getLong("size_bytes"),
                    rs.getString("method"), rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"),
                    map(rs.getString("lineage")), read(rs.getString("report")), evaluations, benchmarks);
        }, id);
        return found.stream().findFirst().orElseThrow(() -> ApiException.notFound("variant", id));
    }

    /** The evaluations of a checkpoint itself, oldest first, in the shape of a variant's. */
    @Transactional(readOnly = true)
    public List<VariantView.EvaluationView> checkpointEvaluations(UUID checkpointId) {
        if (jdbc.queryForList("select 1 from checkpoint where id = ?", Integer.class, checkpointId).isEmpty()) {
            throw ApiException.notFound("checkpoint", checkpointId);
        }
        return jdbc.query("select e.*, d.sha256 as dataset_sha256, d.slice_names as dataset_slice_names from evaluation e join dataset d"
                + " on d.name = e.dataset_name and d.version = e.dataset_version"
                + " where e.checkpoint_id = ? order by e.created_at, e.id", VariantService::evaluation, checkpointId);
    }

    /** The model's active variants, newest first. */
    @Transactional(readOnly = true)
    public Page<VariantSummary> listForModel(String modelName, Pageable pageable) {
        return listForModel(modelName, null, false, pageable);
    }

    /** The model's variants with the tag (null: any), archived ones instead of active ones when {@code archived}. */
    @Transactional(readOnly = true)
    public Page<VariantSummary> listForModel(String modelName, TagFilter tag, boolean archived, Pageable pageable) {
        ModelView model = models.get(modelName);
        String where = " where v.model_id = ? and (v.archived_at is not null) = ?"
                + (tag == null ? "" : " and " + tag.sqlCondition(TagSubject.VARIANT, "v.id"));
        List<Object> args = new ArrayList<>(List.of(model.id(), archived));
        if (tag != null) {
            args.addAll(List.of(tag.arguments()));
        }
        Long total = jdbc.queryForObject("select count(*) from variant v" + where, Long.class, args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<VariantSummary> items = jdbc.query("""
                select v.*, e.metrics, e.deltas, b.hardware_target, b.latency_p50_ms, b.latency_p99_ms, b.speedup
                  from variant v
                  left join lateral (select metrics, deltas from evaluation where variant_id = v.id
                                      order by created_at desc limit 1) e on true
                  left join lateral (select hardware_target, latency_p50_ms, latency_p99_ms, speedup from benchmark
                                      where variant_id = v.id order by created_at desc limit 1) b on true
                """ + where + " order by v.created_at desc, v.id limit ? offset ?", (rs, n) -> {
            Map<String, Object> lineage = map(rs.getString("lineage"));
            Map<String, Object> mix = PrecisionLabel.mixOf(read(rs.getString("report")));
            return new VariantSummary(rs.getObject("id", UUID.class), model.name(),
                    rs.getObject("checkpoint_id", UUID.class), rs.getString("sha256"), rs.getLong("size_bytes"),
                    rs.getString("method"), mix, PrecisionLabel.of(rs.getString("method"), mix),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getObject("job_id", UUID.class), asMap(lineage.get("recipe")), read(rs.getString("metrics")),
                    read(rs.getString("deltas")), rs.getString("hardware_target"),
                    (Double) rs.getObject("latency_p50_ms"), (Double) rs.getObject("latency_p99_ms"),
                    (Double) rs.getObject("speedup"));
        }, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    /**
     * The model's variants, newest first, at most {@code limit}, each with every evaluation and
     * benchmark (as {@link #get} returns them) read in three queries in all, not three per variant.
     */
    @Transactional(readOnly = true)
    public List<VariantView> fullForModel(String modelName, int limit) {
        ModelView model = models.get(modelName);
        return withMeasurements(jdbc.query("select * from variant where model_id = ? order by created_at desc, id"
                + " limit ?", (rs, n) -> variantRow(rs, model.name()), model.id(), limit));
    }

    @Transactional(readOnly = true)
    public long countForModel(String modelName) {
        Long n = jdbc.queryForObject("select count(*) from variant where model_id = ?", Long.class,
                models.get(modelName).id());
        return n == null ? 0 : n;
    }

    /** The latest variants of every model, newest first, with their measurements (see {@link #fullForModel}). */
    @Transactional(readOnly = true)
    public List<VariantView> recent(int limit) {
        return withMeasurements(jdbc.query("select * from variant order by created_at desc, id limit ?",
                (rs, n) -> variantRow(rs, models.nameOf(rs.getObject("model_id", UUID.class))), limit));
    }

    /** These variants, in no particular order, with their measurements (see {@link #fullForModel}); unknown ids are skipped. */
    @Transactional(readOnly = true)
    public List<VariantView> full(Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return withMeasurements(jdbc.query("select * from variant where id = any(?::uuid[])",
                (rs, n) -> variantRow(rs, models.nameOf(rs.getObject("model_id", UUID.class))),
                (Object) ids.toArray(UUID[]::new)));
    }

    private VariantView variantRow(ResultSet rs, String modelName) throws SQLException {
        return new VariantView(rs.getObject("id", UUID.class), modelName, rs.getObject("checkpoint_id", UUID.class),
                rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("method"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"), map(rs.getString("lineage")),
                read(rs.getString("report")), List.of(), List.of());
    }

    private List<VariantView> withMeasurements(List<VariantView> bare) {
        if (bare.isEmpty()) {
            return bare;
        }
        UUID[] ids = bare.stream().map(VariantView::id).toArray(UUID[]::new);
        Map<UUID, List<VariantView.EvaluationView>> evaluations = new java.util.HashMap<>();
        jdbc.query("select e.*, d.sha256 as dataset_sha256, d.slice_names as dataset_slice_names from evaluation e join dataset d"
                + " on d.name = e.dataset_name and d.version = e.dataset_version"
                + " where e.variant_id = any(?::uuid[]) order by e.created_at, e.id", rs -> {
                    evaluations.computeIfAbsent(rs.getObject("variant_id", UUID.class), k -> new java.util.ArrayList<>())
                            .add(evaluation(rs, 0));
                }, (Object) ids);
        Map<UUID, List<VariantView.BenchmarkView>> benchmarks = new java.util.HashMap<>();
        jdbc.query("select * from benchmark where variant_id = any(?::uuid[]) order by created_at, id", rs -> {
            benchmarks.computeIfAbsent(rs.getObject("variant_id", UUID.class), k -> new java.util.ArrayList<>())
                    .add(benchmark(rs, 0));
        }, (Object) ids);
        return bare.stream().map(v -> new VariantView(v.id(), v.modelName(), v.checkpointId(), v.sha256(),
                v.sizeBytes(), v.method(), v.createdAt(), v.createdBy(), v.lineage(), v.report(),
                evaluations.getOrDefault(v.id(), List.of()), benchmarks.getOrDefault(v.id(), List.of()))).toList();
    }

    /** The stored bytes and the digest that names them. */
    public record Content(Resource resource, String sha256, String filename) {
    }

    @Transactional(readOnly = true)
    public Content content(UUID id) {
        VariantRef v = ref(id);
        return new Content(artifacts.open(v.sha256()), v.sha256(), "variant-" + id + "-" + v.method() + ".onnx");
    }

    private static VariantView.EvaluationView evaluation(ResultSet rs, int n) throws SQLException {
        Map<String, Object> dataset = new LinkedHashMap<>();
        dataset.put("name", rs.getString("dataset_name"));
        dataset.put("version", rs.getInt("dataset_version"));
        dataset.put("sha256", rs.getString("dataset_sha256"));
        return new VariantView.EvaluationView(rs.getObject("id", UUID.class), dataset, read(rs.getString("metrics")),
                read(rs.getString("reference_metrics")), read(rs.getString("deltas")),
                NamedSlices.name(read(rs.getString("slices")), read(rs.getString("dataset_slice_names"))),
                (Long) rs.getObject("samples"), read(rs.getString("hardware_profile")),
                rs.getTimestamp("created_at").toInstant(), rs.getObject("job_id", UUID.class),
                read(rs.getString("flip_rate_by_class")), read(rs.getString("selective_routing")));
    }

    private static VariantView.BenchmarkView benchmark(ResultSet rs, int n) throws SQLException {
        return new VariantView.BenchmarkView(rs.getObject("id", UUID.class), rs.getString("hardware_target"),
                read(rs.getString("hardware_profile")), (Double) rs.getObject("latency_p50_ms"),
                (Double) rs.getObject("latency_p99_ms"), (Double) rs.getObject("speedup"),
                read(rs.getString("results")), rs.getTimestamp("created_at").toInstant(),
                rs.getObject("job_id", UUID.class), (Double) rs.getObject("speedup_low"),
                (Double) rs.getObject("speedup_high"), (Double) rs.getObject("latency_p99_high_ms"),
                (Boolean) rs.getObject("speedup_noisy"));
    }

    private static String json(Object value) {
        return value == null ? null : CanonicalJson.write(value);
    }

    static Object read(String json) {
        return json == null ? null : CanonicalJson.mapper().readValue(json, Object.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(String json) {
        return json == null ? null : CanonicalJson.mapper().readValue(json, Map.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }
}
