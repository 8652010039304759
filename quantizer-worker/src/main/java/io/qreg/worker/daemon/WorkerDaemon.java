package io.qreg.worker.daemon;

import io.qreg.worker.protocol.JobAssignment;
import io.qreg.worker.protocol.ResultStatus;
import io.qreg.engine.ScratchDirectories;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker process: registers with the registry, then runs {@code concurrency} claim loops. Each loop long-polls
 * for a job, runs it on its own thread while a heartbeat renews the lease every {@code heartbeatSeconds}, and posts
 * the result. A cancel request stops the job and reports CANCELLED; a lost lease (409) abandons it without a
 * result. An unreachable registry is retried with capped exponential backoff, never fatal.
 *
 * <p>{@link #start} returns at once; {@link #stop(Duration)} stops claiming, gives running jobs the grace period
 * to finish and report, abandons the rest and deregisters, so the registry re-queues what was abandoned at once.
 * The CLI's {@code worker} command runs one with a JVM shutdown hook; the registry can run one in-process the same
 * way.
 */
public final class WorkerDaemon {

    private static final Duration INITIAL_BACKOFF = Duration.ofSeconds(1);

    private final WorkerConfig config;
    private final RegistryClient client;
    private final JobRunner runner;
    private final HardwareProfile profile;
    private final ScheduledExecutorService heartbeats;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<JobControl, JobAssignment> running = new ConcurrentHashMap<>();
    private final CountDownLatch registeredLatch = new CountDownLatch(1);
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final Object registrationLock = new Object();
    private volatile Registration registration;
    private volatile boolean stopping;
    private Thread mainThread;

    private WorkerDaemon(WorkerConfig config, RegistryClient client, HardwareProfile profile) {
        this.config = config;
        this.client = client;
        this.profile = profile;
        this.runner = new JobRunner(client, config);
        AtomicInteger count = new AtomicInteger();
        this.heartbeats = Executors.newScheduledThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "qreg-worker-heartbeat-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts a worker in the background: registration (retried until it succeeds) and the claim loops. */
    public static WorkerDaemon start(WorkerConfig config) {
        return start(config, new RegistryClient(config.registry(), config.token()), HardwareProfile.detect());
    }

    /** As {@link #start(WorkerConfig)} with a given client and profile (tests, embedding). */
    public static WorkerDaemon start(WorkerConfig config, RegistryClient client, HardwareProfile profile) {
        WorkerDaemon daemon = new WorkerDaemon(config, client, profile);
        daemon.mainThread = new Thread(daemon::registerAndRun, "qreg-worker-main");
        daemon.mainThread.setDaemon(true);
        daemon.mainThread.start();
        return daemon;
    }

    /** Stops the daemon when the JVM shuts down (SIGTERM, SIGINT), with the configured grace period. */
    public WorkerDaemon stopOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(config.shutdownGrace()), "qreg-worker-shutdown"));
        return this;
    }

    /** This process's worker id once registered. */
    public Optional<String> workerId() {
        Registration r = registration;
        return r == null ? Optional.empty() : Optional.of(r.workerId());
    }

    /** Waits until the registry has accepted the registration; false on timeout. */
    public boolean awaitRegistration(Duration timeout) throws InterruptedException {
        return registeredLatch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Blocks until {@link #stop} has finished. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public boolean isStopped() {
        return terminated.getCount() == 0;
    }

    /** {@link #stop(Duration)} with the configured grace period. */
    public void stop() {
        stop(config.shutdownGrace());
    }

    /**
     * Stops claiming, lets running jobs finish (and post their results) within {@code grace}, then abandons what is
     * still running (no more heartbeats, no result) and deregisters: the registry re-queues such a job at once.
     */
    public synchronized void stop(Duration grace) {
        if (isStopped()) {
            return;
        }
        stopping = true;
        log("shutting down: no more claims; " + running.size() + " job(s) running, grace " + grace.toSeconds() + " s");
        if (mainThread != null && registration == null) {
            mainThread.interrupt(); // still trying to register
        }
        List<Slot> current;
        synchronized (slots) {
            current = List.copyOf(slots);
        }
        for (Slot slot : current) {
            synchronized (slot) {
                if (!slot.busy) {
                    slot.thread.interrupt(); // ends a long poll or a backoff pause, never a job
                }
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            for (Slot slot : current) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    slot.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
            running.forEach((control, job) -> {
                log("grace period over: abandoning job " + job.id() + "; the registry re-queues it when this"
                        + " worker deregisters");
                control.stop(JobControl.StopReason.SHUTDOWN);
            });
            for (Slot slot : current) {
                slot.thread.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            heartbeats.shutdownNow();
            deregister();
            log("stopped");
            terminated.countDown();
        }
    }

    /** After the last result: the registry gives this id no more jobs and re-queues any abandoned one at once. */
    private void deregister() {
        Registration r = registration;
        if (r == null) {
            return;
        }
        try {
            client.deregister(r.workerId());
            log("deregistered worker " + r.workerId());
        } catch (IOException | RuntimeException e) {
            log("could not deregister worker " + r.workerId() + ": " + describe(e)
                    + "; the registry re-queues its jobs when their leases expire");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log("deregistering worker " + r.workerId() + " was interrupted");
        }
    }

    private void registerAndRun() {
        Registration r = registerUntilAccepted(null);
        if (r == null) {
            return; // stopped before the registry answered
        }
        synchronized (slots) {
            if (stopping) {
                return;
            }
            for (int i = 0; i < config.concurrency(); i++) {
                Slot slot = new Slot(i + 1);
                slots.add(slot);
                slot.thread.start();
            }
        }
    }

    /** Registers (again, if {@code staleId} is still the current id), retrying with backoff until accepted. */
    private Registration registerUntilAccepted(String staleId) {
        synchronized (registrationLock) {
            Registration current = registration;
            if (current != null && !current.workerId().equals(staleId)) {
                return current; // another loop already re-registered
            }
            Backoff backoff = new Backoff();
            while (!stopping) {
                try {
                    Registration r = client.register(config.name(), config.labels(), config.concurrency(), profile);
                    registration = r;
                    log("registered with " + client.baseUri() + " as worker " + r.workerId() + " (" + config.name()
                            + ", labels " + config.labels() + ", concurrency " + config.concurrency() + ", "
                            + profile.summary() + ", lease "
                            + r.lease().toSeconds() + " s, heartbeat every " + r.heartbeatInterval().toMillis()
                            + " ms)");
                    registeredLatch.countDown();
                    return r;
                } catch (InterruptedException e) {
                    return null;
                } catch (IOException | RuntimeException e) {
                    if (!backoff.pause("cannot register with " + client.baseUri() + ": " + describe(e))) {
                        return null;
                    }
                }
            }
            return null;
        }
    }

    /** One claim loop and the job it runs. */
    private final class Slot {
        final Thread thread;
        volatile boolean busy;

        Slot(int index) {
            thread = new Thread(this::loop, "qreg-worker-" + index);
            thread.setDaemon(true);
        }

        private void loop() {
            Backoff backoff = new Backoff();
            while (!stopping) {
                Registration r = registration;
                Optional<JobAssignment> job;
                try {
                    job = client.claim(r.workerId(), config.claimWait());
                    backoff.reset();
                } catch (InterruptedException e) {
                    continue; // stop() ends the long poll; the loop condition decides
                } catch (RegistryException e) {
                    if (e.status() == 404 || e.status() == 409) {
                        log("the registry no longer knows worker " + r.workerId() + " or retired it ("
                                + e.getMessage() + "); registering again");
                        registerUntilAccepted(r.workerId());
                    } else if (!backoff.pause("claim failed: " + describe(e))) {
                        return;
                    }
                    continue;
                } catch (IOException | RuntimeException e) {
                    if (!backoff.pause("registry unreachable at " + client.baseUri() + " (claim): " + describe(e))) {
                        return;
                    }
                    continue;
                }
                if (job.isPresent()) {
                    synchronized (this) {
                        busy = true;
                        // An interrupt that raced the claim's answer is dropped: the job still gets the grace period.
                        Thread.interrupted();
                    }
                    try {
                        runJob(job.get(), r);
                    } finally {
                        busy = false;
                    }
                }
            }
        }
    }

    private void runJob(JobAssignment job, Registration r) {
        log("claimed job " + job.id() + " (" + job.type() + ", attempt " + job.attempt() + ")");
        JobControl control = new JobControl();
        control.report(0, job + ": starting");
        control.bindWorker(Thread.currentThread());
        running.put(control, job);
        Path scratch = null;
        ScheduledFuture<?> beating = null;
        ScheduledFuture<?> prompting = null;
        try {
            scratch = Files.createDirectories(config.workDir())
                    .resolve("job-" + job.id().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + job.attempt() + "-"
                            + UUID.randomUUID().toString().substring(0, 8));
            Files.createDirectories(scratch);
            JobHeartbeat heartbeat = new JobHeartbeat(client, job, control, r, this::log);
            beating = heartbeats.scheduleWithFixedDelay(heartbeat, 0, r.heartbeatInterval().toMillis(),
                    TimeUnit.MILLISECONDS);
            prompting = PromptBeat.schedule(heartbeats, control, heartbeat);
            JobResult result = runner.run(job, control, scratch);
            beating.cancel(false);
            prompting.cancel(false);
            control.bindWorker(null);
            Thread.interrupted();
            finish(job, control, r, heartbeat, result);
        } catch (IOException e) {
            // The scratch directory could not be made: this machine's fault, let another attempt run it.
            post(job, r, JobResult.failed("worker cannot create its scratch directory under " + config.workDir()
                    + ": " + describe(e), true));
        } finally {
            if (beating != null) {
                beating.cancel(false);
            }
            if (prompting != null) {
                prompting.cancel(false);
            }
            control.bindWorker(null);
            Thread.interrupted();
            running.remove(control);
            ScratchDirectories.deleteQuietly(scratch);
        }
    }

    private void finish(JobAssignment job, JobControl control, Registration r, JobHeartbeat heartbeat,
            JobResult result) {
        JobControl.StopReason reason = control.stopReason();
        if (reason == JobControl.StopReason.LEASE_LOST) {
            log("lease lost on job " + job.id() + " (attempt " + job.attempt() + "): abandoned without a result");
            return;
        }
        if (reason == JobControl.StopReason.SHUTDOWN) {
            log("job " + job.id() + " abandoned at shutdown; the registry re-queues it when its lease expires");
            return;
        }
        if (stopping && reason == null && result.status() == ResultStatus.FAILED) {
            // ONNX Runtime closes its environment in its own JVM shutdown hook, so a job failing now may have failed
            // because of the shutdown; failing it for good would lose it, and re-running a genuine failure costs one attempt.
            log("job " + job.id() + " failed while this worker was stopping (" + result.error() + "): abandoned"
                    + " instead of failed, so the registry re-queues it");
            return;
        }
        if (reason == JobControl.StopReason.CANCEL_REQUESTED) {
            result = JobResult.cancelled();
        } else if (result.status() == ResultStatus.SUCCEEDED) {
            // One last heartbeat says 100% and catches a cancel or a lost lease before the result goes out.
            control.report(1.0, "done");
            heartbeat.run();
            reason = control.stopReason();
            if (reason == JobControl.StopReason.LEASE_LOST) {
                log("lease lost on job " + job.id() + " just before its result: abandoned without a result");
                return;
            }
            if (reason == JobControl.StopReason.CANCEL_REQUESTED) {
                result = JobResult.cancelled();
            }
        }
        post(job, r, result);
    }

    private void post(JobAssignment job, Registration r, JobResult result) {
        try {
            Map<String, Object> answer = client.postResult(job.id(), result.toJson(r.workerId(), job.attempt()),
                    result.file());
            Object variant = answer.get("variantId");
            log("result posted for job " + job.id() + ": " + result.status()
                    + (result.error() != null && result.status() == ResultStatus.FAILED
                    ? " (" + (result.retryable() ? "retryable" : "not retryable") + "): " + result.error() : "")
                    + (variant != null ? " -> variant " + variant : ""));
        } catch (LeaseLostException e) {
            log("result of job " + job.id() + " refused: the attempt no longer owns the job (" + e.getMessage() + ")");
        } catch (IOException e) {
            log("could not post the result of job " + job.id() + ": " + describe(e)
                    + "; its lease will expire and the registry will re-queue it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log("posting the result of job " + job.id() + " was interrupted");
        }
    }

    /** Capped exponential backoff with a log line per pause; false when interrupted or stopping. */
    private final class Backoff {
        private Duration next = INITIAL_BACKOFF;

        void reset() {
            next = INITIAL_BACKOFF;
        }

        boolean pause(String why) {
            if (stopping) {
                return false;
            }
            Duration wait = next.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : next;
            log(why + "; retrying in " + wait.toMillis() / 1000.0 + " s");
            next = next.multipliedBy(2);
            try {
                Thread.sleep(wait.toMillis());
                return !stopping;
            } catch (InterruptedException e) {
                return false;
            }
        }
    }

    private void log(String message) {
        config.log().event(config.name(), message);
    }

    /** The exception's class and message, or its cause's message (java.net.http leaves ConnectException bare). */
    static String describe(Throwable e) {
        String m = e.getMessage();
        for (Throwable cause = e.getCause(); (m == null || m.isBlank()) && cause != null; cause = cause.getCause()) {
            m = cause.getMessage();
        }
        if ((m == null || m.isBlank()) && e instanceof java.net.ConnectException) {
            m = "connection refused";
        }
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
