package io.qreg.registry.policy;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.fallback.OperatingPoint;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/** Models' own policies, one row per model. */
@Repository
@RequiredArgsConstructor
class Policies {

    private static final TypeReference<List<String>> NAMES = new TypeReference<>() {
    };
    private static final TypeReference<LinkedHashMap<String, SliceThreshold>> SLICES = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    /** A model's own thresholds and who set them last. */
    record StoredPolicy(Thresholds thresholds, LapseAction onLapse, OperatingPoint fallback, Instant updatedAt,
            String updatedBy) {
    }

    Optional<StoredPolicy> find(UUID modelId) {
        return jdbc.query("select * from model_policy where model_id = ?", Policies::map, modelId).stream()
                .findFirst();
    }

    void save(UUID modelId, Thresholds t, LapseAction onLapse, OperatingPoint fallback, Instant at, String by) {
        jdbc.update("""
                insert into model_policy (model_id, max_accuracy_drop, max_perplexity_increase_pct, min_top1_agreement,
                                          max_worst_slice_accuracy_drop, max_mean_kld, max_flip_rate, min_speedup,
                                          max_p99_latency_ms, max_memory_mb, hardware_targets, on_lapse, fallback,
                                          updated_at, updated_by, slice_thresholds)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?, ?::jsonb)
                on conflict (model_id) do update set
                    max_accuracy_drop = excluded.max_accuracy_drop,
                    max_perplexity_increase_pct = excluded.max_perplexity_increase_pct,
                    min_top1_agreement = excluded.min_top1_agreement,
                    max_worst_slice_accuracy_drop = excluded.max_worst_slice_accuracy_drop,
                    max_mean_kld = excluded.max_mean_kld,
                    max_flip_rate = excluded.max_flip_rate,
                    min_speedup = excluded.min_speedup,
                    max_p99_latency_ms = excluded.max_p99_latency_ms,
                    max_memory_mb = excluded.max_memory_mb,
                    hardware_targets = excluded.hardware_targets,
                    on_lapse = excluded.on_lapse,
                    fallback = excluded.fallback,
                    updated_at = excluded.updated_at,
                    updated_by = excluded.updated_by,
                    slice_thresholds = excluded.slice_thresholds""",
                modelId, t.maxAccuracyDrop(), t.maxPerplexityIncreasePct(), t.minTop1Agreement(),
                t.maxWorstSliceAccuracyDrop(), t.maxMeanKld(), t.maxFlipRate(), t.minSpeedup(), t.maxP99LatencyMs(),
                t.maxMemoryMb(),
                t.hardwareTargets() == null ? null : CanonicalJson.write(t.hardwareTargets()), onLapse.wireName(),
                fallback == null ? null : CanonicalJson.write(fallback), Timestamp.from(at), by,
                t.sliceThresholds().isEmpty() ? null : CanonicalJson.write(t.sliceThresholds()));
    }

    boolean delete(UUID modelId) {
        return jdbc.update("delete from model_policy where model_id = ?", modelId) > 0;
    }

    private static StoredPolicy map(ResultSet rs, int row) throws SQLException {
        String targets = rs.getString("hardware_targets");
        String slices = rs.getString("slice_thresholds");
        Thresholds t = new Thresholds((Double) rs.getObject("max_accuracy_drop"),
                (Double) rs.getObject("max_perplexity_increase_pct"), (Double) rs.getObject("min_top1_agreement"),
                (Double) rs.getObject("max_worst_slice_accuracy_drop"), (Double) rs.getObject("max_mean_kld"),
                (Double) rs.getObject("max_flip_rate"), (Double) rs.getObject("min_speedup"),
                (Double) rs.getObject("max_p99_latency_ms"), (Double) rs.getObject("max_memory_mb"),
                targets == null ? null : CanonicalJson.mapper().readValue(targets, NAMES),
                slices == null ? null : CanonicalJson.mapper().readValue(slices, SLICES));
        String fallback = rs.getString("fallback");
        return new StoredPolicy(t, LapseAction.parse(rs.getString("on_lapse")),
                fallback == null ? null : CanonicalJson.mapper().readValue(fallback, OperatingPoint.class),
                rs.getTimestamp("updated_at").toInstant(), rs.getString("updated_by"));
    }
}
