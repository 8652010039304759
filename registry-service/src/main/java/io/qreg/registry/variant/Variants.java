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
import java.util.function.Function;

import io.qreg.engine.eval.SelectiveRoutingCurve;
import io.qreg.registry.archive.Archival;
import io.qreg.registry.model.ModelView;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.SqlTimestamps;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/**
 * Loads and saves variants and the evaluations and benchmarks measured on them (and on checkpoints)
 * with plain SQL: append-only rows, jsonb reports, and set-wise reads that fetch the measurements of
 * many variants in one query each. Model names come from the caller ({@code nameOfModel}), which owns
 * the model lookup.
 */
@Repository
@RequiredArgsConstructor
class Variants {

    private static final String EVALUATIONS = "select e.*, d.sha256 as dataset_sha256,"
            + " d.slice_names as dataset_slice_names from evaluation e join dataset d"
            + " on d.name = e.dataset_name and d.version = e.dataset_version";

    private final JdbcTemplate jdbc;

    /** The oldest variant whose lineage records these run inputs (see {@link IdenticalRuns}). */
    Optional<UUID> oldestMadeBy(IdenticalRuns.RunInputs run) {
        return jdbc.queryForList("""
                select id from variant
                 where checkpoint_id = ?
                   and lineage -> 'recipe' ->> 'name' = ?
                   and (lineage -> 'recipe' ->> 'version')::int = ?
                   and lineage ->> 'engineVersion' = ?
                   and coalesce(lineage -> 'calibrationDataset' ->> 'name', '') = ?
                   and coalesce((lineage -> 'calibrationDataset' ->> 'version')::int, 0) = ?
                 order by created_at, id
                 limit 1""", UUID.class, run.checkpointId(), run.recipeName(), run.recipeVersion(),
                run.engineVersion(), run.calibrationName() == null ? "" : run.calibrationName(),
                run.calibrationVersion() == null ? 0 : run.calibrationVersion()).stream().findFirst();
    }

    Optional<UUID> idOfJob(UUID jobId) {
        return jdbc.queryForList("select id from variant where job_id = ?", UUID.class, jobId).stream().findFirst();
    }

    void insert(UUID id, NewVariant v) {
        jdbc.update("""
                insert into variant (id, job_id, model_id, checkpoint_id, sha256, size_bytes, method, lineage, report,
                                     created_at, created_by)
                values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)""",
                id, v.jobId(), v.modelId(), v.checkpointId(), v.artifact().sha256(), v.artifact().sizeBytes(),
                v.method(), CanonicalJson.write(v.lineage()), v.report() == null ? null : CanonicalJson.write(v.report()),
                Timestamp.from(Timestamps.now()), CurrentUser.username());
    }

    Optional<UUID> evaluationOfJob(UUID jobId) {
        return jdbc.queryForList("select id from evaluation where job_id = ?", UUID.class, jobId).stream()
                .findFirst();
    }

    /** Exactly one of {@code variantId} and {@code checkpointId} is set. */
    void insertEvaluation(UUID id, UUID variantId, UUID checkpointId, UUID jobId, String datasetName,
            int datasetVersion, Map<String, Object> e, Object hardwareProfile) {
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
    }

    Optional<RoutingCurveEvidence> routingCurve(UUID variantId) {
        return jdbc.query("select id, dataset_name, dataset_version, created_at, selective_routing from evaluation"
                + " where variant_id = ? and selective_routing is not null order by created_at desc, id desc limit 1",
                (rs, n) -> new RoutingCurveEvidence(rs.getObject("id", UUID.class),
                        rs.getString("dataset_name") + "@" + rs.getInt("dataset_version"),
                        rs.getTimestamp("created_at").toInstant(), CanonicalJson.mapper().readValue(
                                rs.getString("selective_routing"), SelectiveRoutingCurve.class)), variantId)
                .stream().findFirst();
    }

    UUID modelIdOfVariant(UUID variantId) {
        return jdbc.queryForObject("select model_id from variant where id = ?", UUID.class, variantId);
    }

    UUID modelIdOfCheckpoint(UUID checkpointId) {
        return jdbc.queryForObject("select model_id from checkpoint where id = ?", UUID.class, checkpointId);
    }

    Optional<UUID> benchmarkOfJob(UUID jobId) {
        return jdbc.queryForList("select id from benchmark where job_id = ?", UUID.class, jobId).stream().findFirst();
    }

    /**
     * The benchmark map a worker reports: {@code results[]} with one entry per model, the FP32
     * checkpoint first and the variant second; latency and speed-up columns are the variant's entry's.
     */
    void insertBenchmark(UUID id, UUID variantId, UUID jobId, String hardwareTarget, Map<String, Object> b,
            Object hardwareProfile) {
        Map<?, ?> entry = variantEntry(b.get("results"));
        // The worker's bootstrap intervals (engine SpeedupInterval); absent from older workers' reports.
        Map<?, ?> speedupInterval = entry.get("speedupInterval") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> p99Interval = entry.get("latencyP99IntervalMs") instanceof Map<?, ?> m ? m : Map.of();
        jdbc.update("""
                insert into benchmark (id, variant_id, job_id, hardware_target, hardware_profile, latency_p50_ms,
                                       latency_p99_ms, speedup, results, created_at, speedup_low, speedup_high,
                                       latency_p99_high_ms, speedup_noisy)
                values (?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?)""",
                id, variantId, jobId, hardwareTarget, json(hardwareProfile), number(entry, "latencyP50Ms"),
                number(entry, "latencyP99Ms"), number(entry, "speedup"), CanonicalJson.write(b),
                Timestamp.from(Timestamps.now()), number(speedupInterval, "low"), number(speedupInterval, "high"),
                number(p99Interval, "high"), speedupInterval.get("noisy") instanceof Boolean noisy ? noisy : null);
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

    Optional<VariantRef> ref(UUID id) {
        return jdbc.query("select id, checkpoint_id, sha256, size_bytes, method from variant where id = ?",
                (rs, n) -> new VariantRef(rs.getObject("id", UUID.class), rs.getObject("checkpoint_id", UUID.class),
                        rs.getString("sha256"), rs.getLong("size_bytes"), rs.getString("method"),
                        "/api/v1/variants/" + id + "/content"), id)
                .stream().findFirst();
    }

    /** The {@link PrecisionLabel} of each of {@code ids} that names a variant, read in one query. */
    Map<UUID, String> precisionLabels(Collection<UUID> ids) {
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

    /** The variant's archive state, holding its row lock to the end of the caller's transaction. */
    Optional<Archival> lockArchival(UUID id) {
        return jdbc.query("select archived_at, archived_by from variant where id = ? for update",
                (rs, n) -> Archival.of(rs), id).stream().findFirst();
    }

    void setArchival(UUID id, Archival after) {
        jdbc.update("update variant set archived_at = ?, archived_by = ? where id = ?",
                SqlTimestamps.timestamp(after.archivedAt()), after.archivedBy(), id);
    }

    Optional<Archival> archival(UUID id) {
        return jdbc.query("select archived_at, archived_by from variant where id = ?", (rs, n) -> Archival.of(rs), id)
                .stream().findFirst();
    }

    /** The archive state of each of {@code ids} that names a variant, in one query. */
    Map<UUID, Archival> archivals(Collection<UUID> ids) {
        Map<UUID, Archival> found = new HashMap<>();
        if (!ids.isEmpty()) {
            jdbc.query("select id, archived_at, archived_by from variant where id = any(?::uuid[])", rs -> {
                found.put(rs.getObject("id", UUID.class), Archival.of(rs));
            }, (Object) ids.toArray(UUID[]::new));
        }
        return found;
    }

    Optional<UUID> producingJobId(UUID id) {
        return jdbc.queryForList("select job_id from variant where id = ?", UUID.class, id).stream().findFirst();
    }

    Optional<VariantView> find(UUID id, Function<UUID, String> nameOfModel) {
        List<VariantView> found = jdbc.query("select * from variant where id = ?", (rs, n) -> {
            List<VariantView.EvaluationView> evaluations = jdbc.query(EVALUATIONS
                            + " where e.variant_id = ? order by e.created_at, e.id",
                    Variants::evaluation, id);
            List<VariantView.BenchmarkView> benchmarks = jdbc.query(
                    "select * from benchmark where variant_id = ? order by created_at, id",
                    Variants::benchmark, id);
            return new VariantView(id, nameOfModel.apply(rs.getObject("model_id", UUID.class)),
                    rs.getObject("checkpoint_id", UUID.class), rs.getString("sha256"), rs.getLong("size_bytes"),
                    rs.getString("method"), rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"),
                    map(rs.getString("lineage")), read(rs.getString("report")), evaluations, benchmarks);
        }, id);
        return found.stream().findFirst();
    }

    boolean checkpointExists(UUID checkpointId) {
        return !jdbc.queryForList("select 1 from checkpoint where id = ?", Integer.class, checkpointId).isEmpty();
    }

    List<VariantView.EvaluationView> checkpointEvaluations(UUID checkpointId) {
        return jdbc.query(EVALUATIONS + " where e.checkpoint_id = ? order by e.created_at, e.id",
                Variants::evaluation, checkpointId);
    }

    /** The model's variants with the tag (null: any), archived ones instead of active ones when {@code archived}. */
    Page<VariantSummary> pageOfModel(ModelView model, TagFilter tag, boolean archived, Pageable pageable) {
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

    /** The model's newest variants with their measurements, read in three queries in all. */
    List<VariantView> newestOfModel(ModelView model, int limit) {
        return withMeasurements(jdbc.query("select * from variant where model_id = ? order by created_at desc, id"
                + " limit ?", (rs, n) -> variantRow(rs, model.name()), model.id(), limit));
    }

    long countOfModel(UUID modelId) {
        Long n = jdbc.queryForObject("select count(*) from variant where model_id = ?", Long.class, modelId);
        return n == null ? 0 : n;
    }

    List<VariantView> newest(int limit, Function<UUID, String> nameOfModel) {
        return withMeasurements(jdbc.query("select * from variant order by created_at desc, id limit ?",
                (rs, n) -> variantRow(rs, nameOfModel.apply(rs.getObject("model_id", UUID.class))), limit));
    }

    List<VariantView> full(Collection<UUID> ids, Function<UUID, String> nameOfModel) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return withMeasurements(jdbc.query("select * from variant where id = any(?::uuid[])",
                (rs, n) -> variantRow(rs, nameOfModel.apply(rs.getObject("model_id", UUID.class))),
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
        Map<UUID, List<VariantView.EvaluationView>> evaluations = new HashMap<>();
        jdbc.query(EVALUATIONS + " where e.variant_id = any(?::uuid[]) order by e.created_at, e.id", rs -> {
                    evaluations.computeIfAbsent(rs.getObject("variant_id", UUID.class), k -> new ArrayList<>())
                            .add(evaluation(rs, 0));
                }, (Object) ids);
        Map<UUID, List<VariantView.BenchmarkView>> benchmarks = new HashMap<>();
        jdbc.query("select * from benchmark where variant_id = any(?::uuid[]) order by created_at, id", rs -> {
            benchmarks.computeIfAbsent(rs.getObject("variant_id", UUID.class), k -> new ArrayList<>())
                    .add(benchmark(rs, 0));
        }, (Object) ids);
        return bare.stream().map(v -> new VariantView(v.id(), v.modelName(), v.checkpointId(), v.sha256(),
                v.sizeBytes(), v.method(), v.createdAt(), v.createdBy(), v.lineage(), v.report(),
                evaluations.getOrDefault(v.id(), List.of()), benchmarks.getOrDefault(v.id(), List.of()))).toList();
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

    private static Object read(String json) {
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
