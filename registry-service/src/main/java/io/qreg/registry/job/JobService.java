package io.qreg.registry.job;

import io.qreg.registry.support.IllegalTransitionException;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Reads jobs (one, a page, their history, their live progress) and cancels them. Submitting is
 * {@link JobSubmission}'s, the worker protocol {@link JobDispatch}'s, lease expiry {@link LeaseExpiry}'s.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class JobService {

    private final Jobs store;
    private final JobViews views;
    private final AuditLog audit;

    @Transactional(readOnly = true)
    public JobView get(UUID id) {
        return views.view(store.find(id).orElseThrow(() -> ApiException.notFound("job", id)));
    }

    @Transactional(readOnly = true)
    public Page<JobView> search(String status, String type, Pageable pageable) {
        return search(status, type, null, pageable);
    }

    /** As {@link #search(String, String, Pageable)}, narrowed to one model's jobs when {@code modelName} is set. */
    @Transactional(readOnly = true)
    public Page<JobView> search(String status, String type, String modelName, Pageable pageable) {
        String model = modelName == null || modelName.isBlank() ? null : modelName.strip();
        return store.search(parse(JobStatus.class, status, "status"), parse(JobType.class, type, "type"), model,
                pageable).map(views::view);
    }

    /** The job's history for its page: the latest {@code limit} lines, oldest first. */
    @Transactional(readOnly = true)
    public List<JobLogEntry> log(UUID id, int limit) {
        store.find(id).orElseThrow(() -> ApiException.notFound("job", id));
        return store.logs(id, limit).stream().map(line -> new JobLogEntry(line.attempt(), line.loggedAt(),
                line.level(), ServerPaths.redact(line.message()))).toList();
    }

    /** The changing fields of several jobs in one read, for live progress displays; unknown ids are left out. */
    @Transactional(readOnly = true)
    public List<JobProgress> progress(Collection<UUID> ids) {
        return store.progress(ids).stream().map(p -> new JobProgress(p.id(), p.status(), p.progress(),
                ServerPaths.redact(p.message()), p.attempts(), ServerPaths.redact(p.error()), p.variantId(),
                p.cancelRequested(), p.finishedAt())).toList();
    }

    private static <E extends Enum<E>> E parse(Class<E> kind, String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(kind, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, field + " must be one of " + Arrays.toString(kind.getEnumConstants())
                    + ", got '" + value + "'");
        }
    }

    /** QUEUED: cancelled at once. RUNNING: cancel requested; the worker stops at its next heartbeat. */
    @Transactional
    public JobView cancel(UUID id) {
        Job job = store.lock(id).orElseThrow(() -> ApiException.notFound("job", id));
        JobView before = views.view(job);
        boolean immediately;
        try {
            immediately = job.cancel(Timestamps.now());
        } catch (IllegalTransitionException e) {
            throw ApiException.conflict(e.getMessage());
        }
        store.update(job);
        store.log(job.id(), job.attempts(), JobLogEntry.Level.WARN, immediately
                ? "cancelled by " + CurrentUser.username() + " before a worker claimed it"
                : "cancel requested by " + CurrentUser.username() + "; the worker stops at its next heartbeat",
                Timestamps.now());
        JobView after = views.view(job);
        audit.record(immediately ? "job.cancelled" : "job.cancel-requested", "job", id.toString(), before, after,
                Map.of("status", job.status().name()));
        return after;
    }
}
