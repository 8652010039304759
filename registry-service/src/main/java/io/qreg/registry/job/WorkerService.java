package io.qreg.registry.job;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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

    /** How many registered workers are in each fleet state (the same rules as {@link #fleet}). */
    public record FleetCounts(long idle, long busy, long lost) {

        public long total() {
            return idle + busy + lost;
        }
    }

    @Transactional(readOnly = true)
    public FleetCounts counts() {
        Timestamp lostBefore = Timestamp.from(Timestamps.now().minus(Duration.ofSeconds(2L * settings.leaseSeconds())));
        return jdbc.queryForObject("""
                select count(*) filter (where s.lost) as lost,
                       count(*) filter (where not s.lost and s.busy) as busy,
                       count(*) filter (where not s.lost and not s.busy) as idle
                  from (select w.last_seen_at < ? as lost,
                               exists (select 1 from job j where j.worker_id = w.id and j.status = 'RUNNING') as busy
                          from worker w) s""",
                (rs, n) -> new FleetCounts(rs.getLong("idle"), rs.getLong("busy"), rs.getLong("lost")), lostBefore);
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
            String state = lastSeen.isBefore(lostBefore) ? "lost" : current != null ? "busy" : "idle";
            return new FleetMember(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("username"),
                    CanonicalJson.mapper().readValue(rs.getString("hardware_profile"), Object.class),
                    CanonicalJson.mapper().readValue(rs.getString("labels"), Map.class), rs.getInt("concurrency"),
                    rs.getTimestamp("registered_at").toInstant(), lastSeen, state, current);
        }, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }
}
