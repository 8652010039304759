package io.qreg.registry.portal;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.job.JobProgress;
import io.qreg.registry.job.JobService;
import io.qreg.registry.support.CanonicalJson;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live job progress for the portal as server-sent events. Every {@value #POLL_MILLIS} ms, while
 * anyone is watching, one query reads the watched jobs' rows and each stream is sent the jobs whose
 * status, progress or message changed since its last event. Reading the row (rather than hooking
 * heartbeats in this process) sees every change whichever registry instance the worker talks to.
 * A stream ends by itself once all its jobs have finished, and after {@value #TIMEOUT_MILLIS} ms
 * (the browser's EventSource then reconnects and is sent the current state first).
 *
 * <p>The poller has its own thread: a slow client's send must not delay the lease sweeper or the
 * webhook dispatcher on the shared scheduler. Events are a few hundred bytes, so a send only waits
 * for a client whose connection has stalled, and a failed send drops that stream.
 */
@Component
class JobProgressStream implements DisposableBean {

    static final long POLL_MILLIS = 500;
    static final long TIMEOUT_MILLIS = 5 * 60 * 1000;
    /** Ids one stream may watch: a page of jobs. */
    static final int MAX_JOBS = 100;
    private static final Logger log = LoggerFactory.getLogger(JobProgressStream.class);

    private final JobService jobs;
    private final Map<SseEmitter, Watch> watches = new ConcurrentHashMap<>();
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "portal-job-progress");
        t.setDaemon(true);
        return t;
    });

    JobProgressStream(JobService jobs) {
        this.jobs = jobs;
        poller.scheduleWithFixedDelay(this::pollSafely, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** What one stream watches and what it was last sent of each job. */
    private static final class Watch {
        final Set<UUID> ids;
        final Map<UUID, JobProgress> sent = new HashMap<>();

        Watch(Collection<UUID> ids) {
            this.ids = new LinkedHashSet<>(ids);
        }
    }

    /** A stream of the jobs' changes, starting with their current state. */
    SseEmitter subscribe(Collection<UUID> ids) {
        SseEmitter emitter = new SseEmitter(TIMEOUT_MILLIS);
        Watch watch = new Watch(ids);
        emitter.onCompletion(() -> watches.remove(emitter));
        emitter.onTimeout(() -> {
            watches.remove(emitter);
            emitter.complete();
        });
        emitter.onError(e -> watches.remove(emitter));
        watches.put(emitter, watch);
        push(emitter, watch, byId(jobs.progress(watch.ids)));
        return emitter;
    }

    int watching() {
        return watches.size();
    }

    private void pollSafely() {
        try {
            poll();
        } catch (RuntimeException e) {
            // An exception would cancel every later run of a scheduled task; log and try again next tick.
            log.warn("reading job progress for {} live stream(s) failed; retrying", watches.size(), e);
        }
    }

    private void poll() {
        if (watches.isEmpty()) {
            return;
        }
        Set<UUID> wanted = new LinkedHashSet<>();
        watches.values().forEach(w -> wanted.addAll(w.ids));
        Map<UUID, JobProgress> current = byId(jobs.progress(wanted));
        watches.forEach((emitter, watch) -> push(emitter, watch, current));
    }

    private void push(SseEmitter emitter, Watch watch, Map<UUID, JobProgress> current) {
        // The first push runs on the request thread, later ones on the poller: one at a time per stream.
        synchronized (watch) {
            try {
                boolean allFinished = true;
                for (UUID id : watch.ids) {
                    JobProgress now = current.get(id);
                    if (now == null) {
                        continue; // an unknown job never changes
                    }
                    allFinished &= now.finished();
                    if (!now.equals(watch.sent.get(id))) {
                        emitter.send(SseEmitter.event().name("job").data(CanonicalJson.write(event(now))));
                        watch.sent.put(id, now);
                    }
                }
                if (allFinished) {
                    watches.remove(emitter);
                    emitter.complete();
                }
            } catch (IOException | IllegalStateException e) {
                // The browser went away (or the stream already ended): stop watching for it.
                watches.remove(emitter);
            }
        }
    }

    /** The event's JSON: what a progress display updates. */
    static Map<String, Object> event(JobProgress p) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", p.id().toString());
        e.put("status", p.status());
        e.put("progress", p.progress());
        e.put("percent", (int) Math.round(p.progress() * 100));
        e.put("message", p.message());
        e.put("attempts", p.attempts());
        e.put("error", p.error());
        e.put("variantId", p.variantId() == null ? null : p.variantId().toString());
        e.put("cancelRequested", p.cancelRequested());
        e.put("finished", p.finished());
        return e;
    }

    private static Map<UUID, JobProgress> byId(List<JobProgress> list) {
        Map<UUID, JobProgress> map = new HashMap<>();
        list.forEach(p -> map.put(p.id(), p));
        return map;
    }

    /**
     * Ends the streams when the application closes, before the web server's graceful shutdown, which would
     * otherwise wait for each open stream (a browser on a job page) until its timeout.
     */
    @EventListener(ContextClosedEvent.class)
    void endStreams() {
        watches.keySet().forEach(SseEmitter::complete);
        watches.clear();
    }

    @Override
    public void destroy() {
        poller.shutdownNow();
        endStreams();
    }
}
