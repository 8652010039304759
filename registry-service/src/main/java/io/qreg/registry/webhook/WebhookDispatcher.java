package io.qreg.registry.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;

import io.qreg.registry.support.AfterCommit;
import io.qreg.registry.support.Timestamps;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sends due deliveries. One pump thread claims them ({@code FOR UPDATE SKIP LOCKED}, then a lease,
 * in a short transaction) as soon as an outbox transaction commits, when a retry falls due, and on
 * a periodic poll that also finds work queued by other registry instances; a small pool POSTs them,
 * holding no database connection while it waits for the receiver; each outcome is recorded in its
 * own transaction, and only by the claim that still holds the lease.
 */
@Component
class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    /**
     * The one error for every failure to get an answer: whether the connection was refused, reset or
     * timed out would tell whoever reads the delivery log which ports are open behind the receiver's address.
     */
    static final String NO_ANSWER = "no HTTP answer from the receiver: it could not be reached, or did not answer"
            + " within the timeout";

    private final Deliveries store;
    private final WebhookSettings settings;
    private final WebhookTargetPolicy targets;
    private final WebhookSecretCipher cipher;
    private final TransactionTemplate transaction;
    private final HttpClient http;
    private final ScheduledExecutorService pump;
    private final ExecutorService senders;
    private final Semaphore freeSenders;
    private final AtomicBoolean pumpQueued = new AtomicBoolean();

    WebhookDispatcher(Deliveries store, WebhookSettings settings, TransactionTemplate transaction,
            WebhookTargetPolicy targets, WebhookSecretCipher cipher) {
        this.store = store;
        this.settings = settings;
        this.targets = targets;
        this.cipher = cipher;
        this.transaction = transaction;
        // HTTP/1.1: no h2c upgrade headers that some receivers refuse. Redirects are not followed: a
        // receiver that moved answers 3xx, which fails visibly in the delivery log.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        this.pump = Executors.newSingleThreadScheduledExecutor(daemon("qreg-webhook-pump"));
        this.senders = Executors.newFixedThreadPool(settings.concurrency(), daemon("qreg-webhook-sender"));
        this.freeSenders = new Semaphore(settings.concurrency());
    }

    @Scheduled(fixedDelayString = "${qreg.webhooks.poll-interval-millis:1000}", initialDelay = 1000)
    void poll() {
        wake();
    }

    /** Wakes the pump once the current transaction commits (at once without one). */
    void wakeAfterCommit() {
        AfterCommit.run(this::wake);
    }

    void wake() {
        if (pumpQueued.compareAndSet(false, true)) {
            try {
                pump.execute(() -> {
                    pumpQueued.set(false);
                    dispatchDue();
                });
            } catch (RejectedExecutionException shuttingDown) {
                pumpQueued.set(false);
            }
        }
    }

    /** Claims as many due deliveries as there are idle senders and starts them; returns how many it started. */
    int dispatchDue() {
        int started = 0;
        try {
            while (true) {
                int free = freeSenders.availablePermits();
                if (free == 0) {
                    return started;
                }
                List<Deliveries.Due> claimed = claim(free);
                for (Deliveries.Due due : claimed) {
                    freeSenders.acquireUninterruptibly();
                    try {
                        senders.execute(() -> {
                            try {
                                attempt(due);
                            } finally {
                                freeSenders.release();
                                wake();
                            }
                        });
                    } catch (RejectedExecutionException shuttingDown) {
                        // The lease runs out and another instance, or this one after a restart, sends it.
                        freeSenders.release();
                        return started;
                    }
                    started++;
                }
                if (claimed.size() < free) {
                    return started;
                }
            }
        } catch (RuntimeException e) {
            log.warn("webhook dispatch failed; retrying at the next poll", e);
            return started;
        }
    }

    private List<Deliveries.Due> claim(int limit) {
        List<Deliveries.Due> claimed = transaction.execute(tx -> {
            Instant now = Timestamps.now();
            Instant leaseUntil = now.plus(settings.lease());
            List<Deliveries.Due> toSend = new ArrayList<>();
            for (Deliveries.Due d : store.lockDue(now, limit)) {
                if (d.subscriptionDeleted()) {
                    // Queued by a transaction that raced with the delete: nothing new reaches a deleted subscription.
                    d.delivery().cancel(Deliveries.CANCELLED_BY_DELETE);
                } else {
                    d.delivery().claim(UUID.randomUUID(), now, leaseUntil);
                    toSend.add(d);
                }
                store.update(d.delivery());
            }
            return toSend;
        });
        return claimed == null ? List.of() : claimed;
    }

    /**
     * One HTTP attempt, then its outcome; the signature's timestamp is taken now, for this attempt.
     * The target is checked first, after resolving its host afresh: a refused one is never connected to.
     */
    void attempt(Deliveries.Due due) {
        Delivery d = due.delivery();
        URI target = URI.create(due.url());
        try {
            targets.checkBeforeDelivery(target);
        } catch (WebhookTargetPolicy.BlockedTargetException e) {
            refuse(d.id(), d.claimToken(), e.getMessage());
            return;
        } catch (UnknownHostException e) {
            finish(d.id(), d.claimToken(), null, "the receiver's host name does not resolve");
            return;
        }
        byte[] body = due.payload().getBytes(StandardCharsets.UTF_8);
        Integer statusCode = null;
        String error;
        try {
            HttpRequest request = HttpRequest.newBuilder(target)
                    .timeout(settings.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "QReg-Webhooks/1")
                    .header("X-QReg-Event", due.eventType())
                    .header("X-QReg-Delivery", d.id().toString())
                    .header(WebhookSignature.HEADER,
                            WebhookSignature.header(secretOf(due), Instant.now().getEpochSecond(), body))
                    .POST(BodyPublishers.ofByteArray(body))
                    .build();
            HttpResponse<InputStream> response = http.send(request, BodyHandlers.ofInputStream());
            // The body is not read: a receiver must not be able to hold a sender with an endless one.
            response.body().close();
            statusCode = response.statusCode();
            error = statusCode / 100 == 2 ? null
                    : "the receiver answered HTTP " + statusCode + "; only a 2xx status counts as delivered";
        } catch (IOException e) {
            // The cause stays in the operator's log; the delivery log gets the one answer that reveals nothing.
            log.info("webhook delivery {} got no answer: {}", d.id(), e.toString());
            error = NO_ANSWER;
        } catch (IllegalArgumentException | IllegalStateException e) {
            error = e.getMessage();
        } catch (InterruptedException e) {
            // Shutting down mid-send: the lease runs out and the delivery is sent again.
            Thread.currentThread().interrupt();
            return;
        }
        finish(d.id(), d.claimToken(), statusCode, error);
    }

    /** The secret to sign with: decrypted, or (a row not yet migrated, see PlaintextSecretMigration) as stored. */
    private String secretOf(Deliveries.Due due) {
        return due.secretCiphertext() != null
                ? cipher.decrypt(due.delivery().subscriptionId(), due.secretCiphertext())
                : due.plaintextSecret();
    }

    private void refuse(UUID id, UUID token, String error) {
        try {
            transaction.executeWithoutResult(tx -> store.lock(id).filter(d -> d.isClaimedBy(token)).ifPresent(d -> {
                d.refused(error);
                store.update(d);
                log.warn("webhook delivery {} refused: {}", id, error);
            }));
        } catch (RuntimeException e) {
            log.warn("cannot record that webhook delivery {} was refused; its lease will expire and it is checked"
                    + " again", id, e);
        }
    }

    private void finish(UUID id, UUID token, Integer statusCode, String error) {
        try {
            transaction.executeWithoutResult(tx -> {
                Optional<Delivery> locked = store.lock(id);
                if (locked.isEmpty() || !locked.get().isClaimedBy(token)) {
                    log.info("outcome of webhook delivery {} dropped: its subscription was deleted or its lease"
                            + " expired and another attempt took over", id);
                    return;
                }
                Delivery d = locked.get();
                Instant now = Timestamps.now();
                if (error == null) {
                    d.delivered(statusCode, now);
                } else {
                    Duration delay = jittered(settings.retryDelay(d.attempts()));
                    if (d.failed(statusCode, error, now, delay)) {
                        AfterCommit.run(() -> schedule(delay));
                    } else {
                        log.warn("webhook delivery {} FAILED after {} attempts: {}", id, d.attempts(), error);
                    }
                }
                store.update(d);
            });
        } catch (RuntimeException e) {
            log.warn("cannot record the outcome of webhook delivery {}; its lease will expire and it is sent again",
                    id, e);
        }
    }

    private Duration jittered(Duration delay) {
        double factor = 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * settings.jitter();
        return Duration.ofMillis(Math.max(0, Math.round(delay.toMillis() * factor)));
    }

    private void schedule(Duration delay) {
        try {
            pump.schedule(this::wake, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The next start's poll finds the delivery due.
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        pump.shutdownNow();
        senders.shutdown();
        if (!senders.awaitTermination(2, TimeUnit.SECONDS)) {
            senders.shutdownNow();
        }
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
