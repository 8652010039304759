package io.qreg.registry.job;

import static io.qreg.registry.support.SqlTimestamps.instant;
import static io.qreg.registry.support.SqlTimestamps.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.qreg.worker.protocol.ResultStatus;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/** Loads and saves job aggregates with plain SQL (row locks, SKIP LOCKED, text[] and jsonb matching). */
@Repository
@RequiredArgsConstructor
class Jobs {

    private final JdbcTemplate jdbc;

    /**
     * Lets the current transaction commit without waiting for its WAL to reach the disk. Used for the
     * worker protocol's claims, heartbeats and results: they run under the audit chain's lock, which
     * a durable commit would hold for a whole disk flush (milliseconds each, one after another). A
     * commit lost this way (only if PostgreSQL or its machine crashes within a fraction of a second)
     * costs time, never correctness: the job's lease runs out and it is re-queued and re-run, and a
     * re-run QUANTIZE reproduces the same bytes. A process crash of the registry loses nothing.
     */
    void commitWithoutWaitingForDisk() {
        jdbc.execute("set local synchronous_commit = off");
    }

    void insert(Job j) {
        jdbc.update("""
                insert into job (id, type, status, checkpoint_id, recipe_name, recipe_version,
                                 calibration_dataset_name, calibration_dataset_version, dataset_name, dataset_version,
                                 variant_id, hardware_target, follow_ups, parent_job_id, attempts, max_attempts,
                                 progress, created_at, created_by, force, reused, reproduces_variant_id)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                j.id(), j.type().name(), j.status().name(), j.checkpointId(), j.recipeName(), j.recipeVersion(),
                j.calibrationDatasetName(), j.calibrationDatasetVersion(), j.datasetName(), j.datasetVersion(),
                j.variantId(), j.hardwareTarget(), j.followUpsJson(), j.parentJobId(), j.attempts(), j.maxAttempts(),
                j.progress(), timestamp(j.createdAt()), j.createdBy(), j.force(), j.reused(), j.reproducesVariantId());
    }

    /** Writes every mutable field back; the caller holds the row lock. */
    void update(Job j) {
        jdbc.update("""
                update job set status = ?, variant_id = ?, attempts = ?, progress = ?, message = ?, error = ?,
                               cancel_requested = ?, worker_id = ?, lease_expires_at = ?, started_at = ?,
                               finished_at = ?, reused = ?
                 where id = ?""",
                j.status().name(), j.variantId(), j.attempts(), j.progress(), j.message(), j.error(),
                j.cancelRequested(), j.workerId(), timestamp(j.leaseExpiresAt()), timestamp(j.startedAt()),
                timestamp(j.finishedAt()), j.reused(), j.id());
    }

    Optional<Job> find(UUID id) {
        return jdbc.query("select * from job where id = ?", Jobs::map, id).stream().findFirst();
    }

    Optional<Job> lock(UUID id) {
        return jdbc.query("select * from job where id = ? for update", Jobs::map, id).stream().findFirst();
    }

    /**
     * Locks the oldest QUEUED job whose hardware target this worker satisfies, skipping rows other
     * claims hold: concurrent claims each get a different job, and none waits for another.
     */
    Optional<Job> lockNextFor(String[] flags, String labelsJson) {
        return jdbc.query("""
                select j.* from job j join hardware_target t on t.name = j.hardware_target
                 where j.status = 'QUEUED'
                   and t.required_flags <@ ?::text[]
                   and t.labels <@ ?::jsonb
                 order by j.created_at, j.id
                 limit 1
                 for update of j skip locked""", Jobs::map, flags, labelsJson).stream().findFirst();
    }

    /** RUNNING jobs whose lease ran out, locked; rows another sweeper holds are skipped. */
    List<Job> lockExpired(Instant now, int limit) {
        return jdbc.query("""
                select * from job where status = 'RUNNING' and lease_expires_at < ?
                 order by lease_expires_at limit ? for update skip locked""", Jobs::map, timestamp(now), limit);
    }

    /** The answer given to the first result of this attempt, if one was accepted. */
    Optional<String> storedResult(UUID jobId, int attempt) {
        return jdbc.queryForList("select response::text from job_result where job_id = ? and attempt = ?",
                String.class, jobId, attempt).stream().findFirst();
    }

    /** Remembers the answer to this attempt's result, so a repeat of the result gets the same one. */
    void saveResult(UUID jobId, int attempt, ResultStatus reported, String responseJson, Instant at) {
        jdbc.update("insert into job_result (job_id, attempt, status, response, created_at)"
                + " values (?, ?, ?, ?::jsonb, ?)", jobId, attempt, reported.name(), responseJson, timestamp(at));
    }

    /** The worker's RUNNING jobs, locked (waiting for a heartbeat or result in flight on them to commit). */
    List<Job> lockRunningOn(UUID workerId) {
        return jdbc.query("select * from job where worker_id = ? and status = 'RUNNING' order by started_at, id"
                + " for update", Jobs::map, workerId);
    }

    List<UUID> followUpIds(UUID parentId) {
        return jdbc.queryForList("select id from job where parent_job_id = ? order by created_at, id", UUID.class,
                parentId);
    }

    /** Jobs newest first, each filter optional; {@code modelName}: jobs on any checkpoint of that model. */
    Page<Job> search(JobStatus status, JobType type, String modelName, Pageable pageable) {
        List<Object> args = new ArrayList<>();
        StringBuilder where = new StringBuilder(" where true");
        if (modelName != null) {
            where.append(" and checkpoint_id in (select c.id from checkpoint c join model m on m.id = c.model_id"
                    + " where m.name = ?)");
            args.add(modelName);
        }
        if (status != null) {
            where.append(" and status = ?");
            args.add(status.name());
        }
        if (type != null) {
            where.append(" and type = ?");
            args.add(type.name());
        }
        Long total = jdbc.queryForObject("select count(*) from job" + where, Long.class, args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<Job> items = jdbc.query("select * from job" + where + " order by created_at desc, id limit ? offset ?",
                Jobs::map, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    /** Appends a line to the job's history; messages are cut to the column's 4000 characters. */
    void log(UUID jobId, int attempt, JobLogEntry.Level level, String message, Instant at) {
        String text = message.length() > 4000 ? message.substring(0, 4000) : message;
        jdbc.update("insert into job_log (job_id, attempt, logged_at, level, message) values (?, ?, ?, ?, ?)",
                jobId, attempt, timestamp(at), level.name(), text);
    }

    /** The job's history, oldest first, at most {@code limit} lines (the latest ones when there are more). */
    List<JobLogEntry> logs(UUID jobId, int limit) {
        List<JobLogEntry> lines = jdbc.query("""
                select attempt, logged_at, level, message from job_log where job_id = ?
                 order by id desc limit ?""", (rs, n) -> new JobLogEntry(rs.getInt("attempt"),
                instant(rs, "logged_at"), JobLogEntry.Level.valueOf(rs.getString("level")), rs.getString("message")),
                jobId, limit);
        List<JobLogEntry> oldestFirst = new ArrayList<>(lines);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** What a progress display needs of several jobs, in one query; unknown ids are left out. */
    List<JobProgress> progress(java.util.Collection<UUID> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return jdbc.query("""
                select id, status, progress, message, attempts, error, variant_id, cancel_requested, finished_at
                  from job where id = any(?::uuid[])""", (rs, n) -> new JobProgress(rs.getObject("id", UUID.class),
                rs.getString("status"), rs.getDouble("progress"), rs.getString("message"), rs.getInt("attempts"),
                rs.getString("error"), rs.getObject("variant_id", UUID.class), rs.getBoolean("cancel_requested"),
                instant(rs, "finished_at")), (Object) ids.toArray(UUID[]::new));
    }

    private static Job map(ResultSet rs, int row) throws SQLException {
        return new Job(rs.getObject("id", UUID.class), JobType.valueOf(rs.getString("type")),
                JobStatus.valueOf(rs.getString("status")), rs.getObject("checkpoint_id", UUID.class),
                rs.getString("recipe_name"), (Integer) rs.getObject("recipe_version"),
                rs.getString("calibration_dataset_name"), (Integer) rs.getObject("calibration_dataset_version"),
                rs.getString("dataset_name"), (Integer) rs.getObject("dataset_version"),
                rs.getObject("variant_id", UUID.class), rs.getString("hardware_target"), rs.getString("follow_ups"),
                rs.getObject("parent_job_id", UUID.class), rs.getBoolean("force"), rs.getBoolean("reused"),
                rs.getObject("reproduces_variant_id", UUID.class), rs.getInt("attempts"), rs.getInt("max_attempts"),
                rs.getDouble("progress"), rs.getString("message"), rs.getString("error"),
                rs.getBoolean("cancel_requested"), rs.getObject("worker_id", UUID.class),
                instant(rs, "lease_expires_at"), instant(rs, "created_at"), rs.getString("created_by"),
                instant(rs, "started_at"), instant(rs, "finished_at"));
    }
}
