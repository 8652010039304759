package io.qreg.registry.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/** The append-only {@code variant_reproduction} rows: one per reproduction job's result. */
@Repository
@RequiredArgsConstructor
class VariantReproductions {

    private final JdbcTemplate jdbc;

    /** The worker's id and name are copied from its registration in the same statement. */
    void insert(UUID jobId, UUID variantId, UUID workerId, String engine, String runtime, String sha256,
            long sizeBytes, boolean identical, Instant now) {
        jdbc.update("""
                insert into variant_reproduction (job_id, variant_id, worker_id, worker_name, engine_version,
                                                  onnx_runtime_version, sha256, size_bytes, identical, reproduced_at)
                select ?, ?, w.id, w.name, ?, ?, ?, ?, ?, ? from worker w where w.id = ?""",
                jobId, variantId, engine, runtime, sha256, sizeBytes, identical, Timestamp.from(now), workerId);
    }

    /** The variant's reproductions, newest first. */
    List<Reproduction> ofVariant(UUID variantId) {
        return jdbc.query("select * from variant_reproduction where variant_id = ? order by reproduced_at desc, job_id",
                VariantReproductions::map, variantId);
    }

    Optional<Reproduction> latestOfVariant(UUID variantId) {
        return jdbc.query("select * from variant_reproduction where variant_id = ? order by reproduced_at desc,"
                + " job_id limit 1", VariantReproductions::map, variantId).stream().findFirst();
    }

    Optional<Reproduction> ofJob(UUID jobId) {
        return jdbc.query("select * from variant_reproduction where job_id = ?", VariantReproductions::map, jobId)
                .stream().findFirst();
    }

    private static Reproduction map(ResultSet rs, int n) throws SQLException {
        return new Reproduction(rs.getObject("job_id", UUID.class), rs.getObject("variant_id", UUID.class),
                rs.getObject("worker_id", UUID.class), rs.getString("worker_name"), rs.getString("engine_version"),
                rs.getString("onnx_runtime_version"), rs.getString("sha256"), rs.getLong("size_bytes"),
                rs.getBoolean("identical"), rs.getTimestamp("reproduced_at").toInstant());
    }
}
