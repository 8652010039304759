package io.qreg.registry.job;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Registers workers (one id per process start) and shows the fleet. */
@Service
public class WorkerService {

    private static final long TOUCH_INTERVAL_NANOS = 1_000_000_000L;
    /** Registrations never change (a restarted worker registers anew), so claims can read them from memory. */
    private static final int MAX_CACHED = 10_000;

    private final JdbcTemplate jdbc;
    private final AuditLog audit;
    private final JobSettings settings;
    private final Map<UUID, WorkerRef> registered = new ConcurrentHashMap<>();
    private final Map<UUID, Long> lastTouched = new ConcurrentHashMap<>();

    WorkerService(JdbcTemplate jdbc, AuditLog audit, JobSettings settings) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.settings = settings;
    }

    public record Registration(String name, Map<String, String> labels, Integer concurrency,
            Map<String, Object> hardwareProfile) {
    }

    public record Registered(UUID id, int leaseSeconds, int heartbeatSeconds) {
    }

    /** What a claim needs of its worker. */
    record WorkerRef(UUID id, String username, String[] flags, String labelsJson, Object hardwareProfile) {
    }

    /** One worker as the fleet view shows it; {@code state} is idle, busy, lost (silent) or stopped (deregistered). */
    public record FleetMember(UUID id, String name, String username, Object hardwareProfile,
            Map<String, Object> labels, int concurrency, Instant registeredAt, Instant lastSeenAt, String state,
            UUID currentJobId) {
    }

    @Transactional
    public Registered register(Registration r) {
        if (r.name() == null || r.name().isBlank() || r.name().length() > 200) {
            throw ApiException.invalid("name", "name is required (max 200 characters), e.g. the host name");
        }
        if (r.hardwareProfile() == null) {
            throw ApiException.invalid("hardwareProfile", "hardwareProfile is required: {os, arch, cpuModel, cores,"
                    + " memoryBytes, flags[], onnxRuntimeVersion, executionProviders[], engineVersion}");
        }
        int concurrency = r.concurrency() == null ? 1 : r.concurrency();
        if (concurrency < 1 || concurrency > 64) {
            throw ApiException.invalid("concurrency", "concurrency must be between 1 and 64, got " + concurrency);
        }
        List<String> flags = new ArrayList<>();
        if (r.hardwareProfile().get("flags") instanceof List<?> list) {
            list.forEach(f -> flags.add(String.valueOf(f).toLowerCase(Locale.ROOT)));
        }
        Map<String, String> labels = r.labels() == null ? Map.of() : new TreeMap<>(r.labels());
        UUID id = UUID.randomUUID();
        Instant now = Timestamps.now();
        jdbc.update("""
                insert into worker (id, name, username, hardware_profile, flags, labels, concurrency, registered_at,
                                    last_seen_at)
                values (?, ?, ?, ?::jsonb, ?::text[], ?::jsonb, ?, ?, ?)""",
                id, r.name(), CurrentUser.username(), CanonicalJson.write(r.hardwareProfile()),
                flags.toArray(String[]::new), CanonicalJson.write(labels), concurrency, Timestamp.from(now),
                Timestamp.from(now));
        audit.record("worker.registered", "worker", id.toString(), null, r,
                Map.of("name", r.name(), "labels", labels));
        return new Registered(id, settings.leaseSeconds(), settings.heartbeatSeconds());
    }

    /** The worker, which must belong to the calling account. */
    WorkerRef require(UUID id) {
        if (registered.size() > MAX_CACHED) {
            registered.clear();
            lastTouched.clear();
        }
        WorkerRef w = registered.computeIfAbsent(id, this::load);
        if (!w.username().equals(CurrentUser.username())) {
            throw ApiException.forbidden("worker " + id + " was registered by another account");
        }
        return w;
    }

    private WorkerRef load(UUID id) {
        return jdbc.query("select id, username, flags, labels, hardware_profile from worker where id = ?",
                (rs, n) -> new WorkerRef(rs.getObject("id", UUID.class), rs.getString("username"),
                        (String[]) rs.getArray("flags").getArray(), rs.getString("labels"),
                        CanonicalJson.mapper().readValue(rs.getString("hardware_profile"), Object.class)), id)
                .stream().findFirst().orElseThrow(() -> ApiException.notFound("worker", id));
    }

    /**
     * Records that the worker was heard from. Fleet states are judged on a scale of seconds (a lease
     * is 30 s), so one write per worker per {@link #TOUCH_INTERVAL_NANOS} is enough; writing on every
     * claim and heartbeat of a busy fleet would cost a commit each.
     */
    void touch(UUID id) {
        long now = System.nanoTime();
        Long last = lastTouched.get(id);
        if (last != null && now - last < TOUCH_INTERVAL_NANOS) {
            return;
        }
        lastTouched.put(id, now);
        jdbc.update("update worker set last_seen_at = ? where id = ?", Timestamp.from(Timestamps.now()), id);
    }

    /**
     * Refuses a worker that deregistered. Inside a claim's transaction it also holds the worker's row in KEY SHARE
     * to the commit, so a deregistration (which locks the row FOR UPDATE) waits for the claim and then finds the
     * job it handed out, and a claim that starts later sees the worker stopped.
     */
    void requireActive(UUID id) {
        List<Timestamp> stopped = jdbc.queryForList("select stopped_at from worker where id = ? for key share",
                Timestamp.class, id);
        if (!stopped.isEmpty() && stopped.get(0) != null) {
            throw new WorkerDeregisteredException(id, stopped.get(0).toInstant());
        }
    }

    /** When a worker stopped: {@code already} if an earlier call had stopped it. */
    record Stop(Instant stoppedAt, boolean already) {
    }

    /**
     * Marks the worker stopped, holding its row FOR UPDATE to the commit (claims in flight finish first, later
     * ones see it stopped). Only the account that registered it, or an ADMIN, may; a repeat changes nothing.
     */
    Stop stop(UUID id) {
        record Row(String username, Timestamp stoppedAt) {
        }
        Row row = jdbc.query("select username, stopped_at from worker where id = ? for update",
                (rs, n) -> new Row(rs.getString("username"), rs.getTimestamp("stopped_at")), id)
                .stream().findFirst().orElseThrow(() -> ApiException.notFound("worker", id));
        if (!row.username().equals(CurrentUser.username()) && !CurrentUser.isAdmin()) {
            throw ApiException.forbidden("worker " + id + " was registered by another account; only it or an ADMIN"
                    + " may deregister it");
        }
        if (row.stoppedAt() != null) {
            return new Stop(row.stoppedAt().toInstant(), true);
        }
        Instant now = Timestamps.now();
        jdbc.update("update worker set stopped_at = ? where id = ?", Timestamp.from(now), id);
        return new Stop(now, false);
    }

    /**
     * The engine versions of the workers that could claim a job for {@code target} now: registered with them, not
     * stopped, not lost (the same rule as {@link #fleet}), and meeting the target's flags and labels. A worker that
     * registered without one counts as the empty string.
     */
    @Transactional(readOnly = true)
    public Set<String> engineVersionsFor(String target) {
        Timestamp lostBefore = Timestamp.from(Timestamps.now().minus(Duration.ofSeconds(2L * settings.leaseSeconds())));
        return new TreeSet<>(jdbc.queryForList("""
                select distinct coalesce(w.hardware_profile ->> 'engineVersion', '') from worker w
                  join hardware_target t on t.name = ?
                 where w.stopped_at is null and w.last_seen_at >= ?
                   and t.required_flags <@ w.flags and t.labels <@ w.labels""", String.class, target, lostBefore));
    }

    /** How many registered workers are in each fleet state (the same rules as {@link #fleet}). */
    public record FleetCounts(long idle, long busy, long lost, long stopped) {

        public long total() {
            return idle + busy + lost + stopped;
        }
    }

    @Transactional(readOnly = true)
    public FleetCounts counts() {
        Timestamp lostBefore = Timestamp.from(Timestamps.now().minus(Duration.ofSeconds(2L * settings.leaseSeconds())));
        return jdbc.queryForObject("""
                select count(*) filter (where s.stopped) as stopped,
                       count(*) filter (where not s.stopped and s.lost) as lost,
                       count(*) filter (where not s.stopped and not s.lost and s.busy) as busy,
                       count(*) filter (where not s.stopped and not s.lost and not s.busy) as idle
                  from (select w.stopped_at is not null as stopped, w.last_seen_at < ? as lost,
                               exists (select 1 from job j where j.worker_id = w.id and j.status = 'RUNNING') as busy
                          from worker w) s""",
                (rs, n) -> new FleetCounts(rs.getLong("idle"), rs.getLong("busy"), rs.getLong("lost"),
                        rs.getLong("stopped")), lostBefore);
    }

    @Transactional(readOnly = true)
    @SuppressWarnings("unchecked")
    public Page<FleetMember> fleet(Pageable pageable) {
        Long total = jdbc.queryForObject("select count(*) from worker", Long.class);
        Instant lostBefore = Timestamps.now().minus(Duration.ofSeconds(2L * settings.leaseSeconds()));
        List<FleetMember> items = jdbc.query("""
                select w.*, (select j.id from job j where j.worker_id = w.id and j.status = 'RUNNING'
                              order by j.started_at desc limit 1) as current_job_id
                  from worker w order by w.last_seen_at desc, w.id limit ? offset ?""", (rs, n) -> {
            Instant lastSeen = rs.getTimestamp("last_seen_at").toInstant();
            UUID current = rs.getObject("current_job_id", UUID.class);
            String state = rs.getTimestamp("stopped_at") != null ? "stopped"
                    : lastSeen.isBefore(lostBefore) ? "lost" : current != null ? "busy" : "idle";
            return new FleetMember(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("username"),
                    CanonicalJson.mapper().readValue(rs.getString("hardware_profile"), Object.class),
                    CanonicalJson.mapper().readValue(rs.getString("labels"), Map.class), rs.getInt("concurrency"),
                    rs.getTimestamp("registered_at").toInstant(), lastSeen, state, current);
        }, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }
}
