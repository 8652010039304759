package io.qreg.registry.job;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;
import io.qreg.worker.protocol.RegistrationReply;
import io.qreg.worker.protocol.RegistrationRequest;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/** Registers workers (one id per process start) and shows the fleet. */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class WorkerService {

    private static final long TOUCH_INTERVAL_NANOS = 1_000_000_000L;
    /** Registrations never change (a restarted worker registers anew), so claims can read them from memory. */
    private static final int MAX_CACHED = 10_000;

    private final Workers workers;
    private final AuditLog audit;
    private final JobSettings settings;
    private final Map<UUID, WorkerRef> registered = new ConcurrentHashMap<>();
    private final Map<UUID, Long> lastTouched = new ConcurrentHashMap<>();

    /** What a claim needs of its worker. */
    record WorkerRef(UUID id, String username, String[] flags, String labelsJson, Object hardwareProfile) {
    }

    /** One worker as the fleet view shows it; {@code state} is idle, busy, lost (silent) or stopped (deregistered). */
    public record FleetMember(UUID id, String name, String username, Object hardwareProfile,
            Map<String, Object> labels, int concurrency, Instant registeredAt, Instant lastSeenAt, String state,
            UUID currentJobId) {
    }

    @Transactional
    public RegistrationReply register(RegistrationRequest r) {
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
        workers.insert(id, r, flags, labels, concurrency, now);
        audit.record("worker.registered", "worker", id.toString(), null, r,
                Map.of("name", r.name(), "labels", labels));
        return new RegistrationReply(id.toString(), (long) settings.leaseSeconds(),
                BigDecimal.valueOf(settings.heartbeatSeconds()));
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
        return workers.find(id).orElseThrow(() -> ApiException.notFound("worker", id));
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
        workers.touch(id, Timestamps.now());
    }

    /**
     * Refuses a worker that deregistered. Inside a claim's transaction it also holds the worker's row in KEY SHARE
     * to the commit, so a deregistration (which locks the row FOR UPDATE) waits for the claim and then finds the
     * job it handed out, and a claim that starts later sees the worker stopped.
     */
    void requireActive(UUID id) {
        Optional<Instant> stopped = workers.stoppedAtKeyShared(id);
        if (stopped.isPresent()) {
            throw new WorkerDeregisteredException(id, stopped.get());
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
        Workers.Registrant row = workers.lockRegistrant(id).orElseThrow(() -> ApiException.notFound("worker", id));
        if (!row.username().equals(CurrentUser.username()) && !CurrentUser.isAdmin()) {
            throw ApiException.forbidden("worker " + id + " was registered by another account; only it or an ADMIN"
                    + " may deregister it");
        }
        if (row.stoppedAt() != null) {
            return new Stop(row.stoppedAt().toInstant(), true);
        }
        Instant now = Timestamps.now();
        workers.markStopped(id, now);
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
        return new TreeSet<>(workers.engineVersionsFor(target, lostBefore));
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
        return workers.counts(lostBefore);
    }

    @Transactional(readOnly = true)
    public Page<FleetMember> fleet(Pageable pageable) {
        return workers.fleet(pageable, Timestamps.now().minus(Duration.ofSeconds(2L * settings.leaseSeconds())));
    }
}
