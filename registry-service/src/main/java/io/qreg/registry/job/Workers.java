package io.qreg.registry.job;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.worker.protocol.RegistrationRequest;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/**
 * Loads and saves worker registrations with plain SQL: text[] and jsonb matching against hardware
 * targets, the KEY SHARE and FOR UPDATE row locks that order claims against deregistration, and the
 * fleet's set-wise counts.
 */
@Repository
@RequiredArgsConstructor
class Workers {

    private final JdbcTemplate jdbc;

    void insert(UUID id, RegistrationRequest r, List<String> flags, Map<String, String> labels,
            int concurrency, Instant now) {
        jdbc.update("""
                insert into worker (id, name, username, hardware_profile, flags, labels, concurrency, registered_at,
                                    last_seen_at)
                values (?, ?, ?, ?::jsonb, ?::text[], ?::jsonb, ?, ?, ?)""",
                id, r.name(), CurrentUser.username(), CanonicalJson.write(r.hardwareProfile()),
                flags.toArray(String[]::new), CanonicalJson.write(labels), concurrency, Timestamp.from(now),
                Timestamp.from(now));
    }

    Optional<WorkerService.WorkerRef> find(UUID id) {
        return jdbc.query("select id, username, flags, labels, hardware_profile from worker where id = ?",
                (rs, n) -> new WorkerService.WorkerRef(rs.getObject("id", UUID.class), rs.getString("username"),
                        (String[]) rs.getArray("flags").getArray(), rs.getString("labels"),
                        CanonicalJson.mapper().readValue(rs.getString("hardware_profile"), Object.class)), id)
                .stream().findFirst();
    }

    void touch(UUID id, Instant now) {
        jdbc.update("update worker set last_seen_at = ? where id = ?", Timestamp.from(now), id);
    }

    /**
     * When the worker stopped (empty while it runs or if unknown), holding its row in KEY SHARE to the
     * end of the caller's transaction.
     */
    Optional<Instant> stoppedAtKeyShared(UUID id) {
        List<Timestamp> stopped = jdbc.queryForList("select stopped_at from worker where id = ? for key share",
                Timestamp.class, id);
        return stopped.isEmpty() || stopped.get(0) == null ? Optional.empty()
                : Optional.of(stopped.get(0).toInstant());
    }

    /** Who registered a worker and when it stopped (null: running). */
    record Registrant(String username, Timestamp stoppedAt) {
    }

    /** The worker's registrant, holding its row FOR UPDATE to the end of the caller's transaction. */
    Optional<Registrant> lockRegistrant(UUID id) {
        return jdbc.query("select username, stopped_at from worker where id = ? for update",
                (rs, n) -> new Registrant(rs.getString("username"), rs.getTimestamp("stopped_at")), id)
                .stream().findFirst();
    }

    void markStopped(UUID id, Instant now) {
        jdbc.update("update worker set stopped_at = ? where id = ?", Timestamp.from(now), id);
    }

    /** See {@link WorkerService#engineVersionsFor}: workers seen since {@code lostBefore} that meet the target. */
    List<String> engineVersionsFor(String target, Timestamp lostBefore) {
        return jdbc.queryForList("""
                select distinct coalesce(w.hardware_profile ->> 'engineVersion', '') from worker w
                  join hardware_target t on t.name = ?
                 where w.stopped_at is null and w.last_seen_at >= ?
                   and t.required_flags <@ w.flags and t.labels <@ w.labels""", String.class, target, lostBefore);
    }

    WorkerService.FleetCounts counts(Timestamp lostBefore) {
        return jdbc.queryForObject("""
                select count(*) filter (where s.stopped) as stopped,
                       count(*) filter (where not s.stopped and s.lost) as lost,
                       count(*) filter (where not s.stopped and not s.lost and s.busy) as busy,
                       count(*) filter (where not s.stopped and not s.lost and not s.busy) as idle
                  from (select w.stopped_at is not null as stopped, w.last_seen_at < ? as lost,
                               exists (select 1 from job j where j.worker_id = w.id and j.status = 'RUNNING') as busy
                          from worker w) s""",
                (rs, n) -> new WorkerService.FleetCounts(rs.getLong("idle"), rs.getLong("busy"), rs.getLong("lost"),
                        rs.getLong("stopped")), lostBefore);
    }

    /** Every worker, last seen first; silent since before {@code lostBefore} counts as lost. */
    @SuppressWarnings("unchecked")
    Page<WorkerService.FleetMember> fleet(Pageable pageable, Instant lostBefore) {
        Long total = jdbc.queryForObject("select count(*) from worker", Long.class);
        List<WorkerService.FleetMember> items = jdbc.query("""
                select w.*, (select j.id from job j where j.worker_id = w.id and j.status = 'RUNNING'
                              order by j.started_at desc limit 1) as current_job_id
                  from worker w order by w.last_seen_at desc, w.id limit ? offset ?""", (rs, n) -> {
            Instant lastSeen = rs.getTimestamp("last_seen_at").toInstant();
            UUID current = rs.getObject("current_job_id", UUID.class);
            String state = rs.getTimestamp("stopped_at") != null ? "stopped"
                    : lastSeen.isBefore(lostBefore) ? "lost" : current != null ? "busy" : "idle";
            return new WorkerService.FleetMember(rs.getObject("id", UUID.class), rs.getString("name"),
                    rs.getString("username"),
                    CanonicalJson.mapper().readValue(rs.getString("hardware_profile"), Object.class),
                    CanonicalJson.mapper().readValue(rs.getString("labels"), Map.class), rs.getInt("concurrency"),
                    rs.getTimestamp("registered_at").toInstant(), lastSeen, state, current);
        }, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }
}
