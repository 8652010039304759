package io.qreg.registry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import io.qreg.worker.audit.MerkleFrontier;
import io.qreg.worker.audit.TreeHead;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Signs tree heads of the audit log, off the request path (appending an event stays one INSERT): every
 * {@code qreg.audit.checkpoint-events} (1,000) new events, and at least every
 * {@code qreg.audit.checkpoint-max-age} (60 s) even when nothing was appended, so a head's age shows
 * the signer is alive. Each head is anchored write-once in the artifact store, copied to the database
 * and announced as the webhook {@code audit.checkpoint}.
 *
 * <p>The tree's frontier is kept in memory from start, so events are read once: a row edited after it
 * was signed cannot leak into a later head. At start the frontier is rebuilt and compared with the
 * newest anchored head; if the stored events no longer produce it, signing stops (an error is logged and
 * verify reports where), rather than vouching for a rewritten log.
 */
@Component
public class TreeHeadSigner {

    private static final Logger log = LoggerFactory.getLogger(TreeHeadSigner.class);

    private final AuditEvents events;
    private final AuditSigningKey key;
    private final TreeHeadAnchors anchors;
    private final TreeHeads store;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher publisher;
    private final int eventsPerHead;
    private final Duration maxAge;
    private final Clock clock = Clock.systemUTC();

    private MerkleFrontier frontier;
    private Instant lastSignedAt;
    private String halted;

    TreeHeadSigner(AuditEvents events, AuditSigningKey key, TreeHeadAnchors anchors, TreeHeads store,
            TransactionTemplate transaction, ApplicationEventPublisher publisher,
            @Value("${qreg.audit.checkpoint-events:1000}") int eventsPerHead,
            @Value("${qreg.audit.checkpoint-max-age:60s}") Duration maxAge) {
        this.events = events;
        this.key = key;
        this.anchors = anchors;
        this.store = store;
        this.transaction = transaction;
        this.publisher = publisher;
        this.eventsPerHead = eventsPerHead;
        this.maxAge = maxAge;
    }

    @Scheduled(initialDelayString = "${qreg.audit.checkpoint-initial-delay:1s}",
            fixedDelayString = "${qreg.audit.checkpoint-poll:2s}")
    void signInBackground() {
        try {
            signDue(false);
        } catch (RuntimeException e) {
            log.warn("could not sign an audit tree head: {}", e.toString());
        }
    }

    /** Signs a head now over every event appended so far (as the minute's head would), and returns the newest. */
    public synchronized Optional<TreeHead> signNow() {
        return signDue(true);
    }

    /** Why signing stopped, if it did. */
    public synchronized Optional<String> halted() {
        return Optional.ofNullable(halted);
    }

    private synchronized Optional<TreeHead> signDue(boolean force) {
        if (frontier == null) {
            resume();
        }
        if (halted != null) {
            return Optional.empty();
        }
        TreeHead signed = null;
        while (true) {
            List<AuditEvent> next = contiguousAfter(frontier.size());
            if (next.size() == eventsPerHead) {
                signed = sign(next);
                continue;
            }
            boolean stale = lastSignedAt == null || !clock.instant().isBefore(lastSignedAt.plus(maxAge));
            if (force || stale) {
                signed = sign(next);
            }
            return Optional.ofNullable(signed);
        }
    }

    /** The events after {@code size}, up to one head's worth, stopping at a gap in the sequence. */
    private List<AuditEvent> contiguousAfter(long size) {
        List<AuditEvent> next = events.after(size, eventsPerHead);
        List<AuditEvent> contiguous = new ArrayList<>(next.size());
        for (AuditEvent event : next) {
            if (event.seq() != size + contiguous.size() + 1) {
                break;
            }
            contiguous.add(event);
        }
        return contiguous;
    }

    private TreeHead sign(List<AuditEvent> newEvents) {
        MerkleFrontier next = frontier.copy();
        List<byte[]> leaves = new ArrayList<>(newEvents.size());
        for (AuditEvent event : newEvents) {
            byte[] leaf = event.leaf().hash();
            leaves.add(leaf);
            next.append(leaf);
        }
        TreeHead head = TreeHead.sign(next.size(), next.root(), clock.instant(), key.pair().getPrivate());
        String anchorKey = anchors.anchor(head, frontier.size(), leaves);
        transaction.executeWithoutResult(status -> {
            store.insert(anchorKey, head);
            publisher.publishEvent(new AuditCheckpointSigned(head.treeSize(), head.rootHash(), head.timestamp(),
                    head.signature(), key.fingerprint()));
        });
        frontier = next;
        lastSignedAt = head.timestamp();
        return head;
    }

    /** Rebuilds the frontier up to the newest anchored head and checks the stored events still produce it. */
    private void resume() {
        TreeHeadAnchors.Anchored newest;
        try {
            newest = anchors.all().stream().filter(a -> a.head().verify(key.publicKey()))
                    .reduce((a, b) -> b).orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the anchored audit tree heads", e);
        }
        MerkleFrontier rebuilt = new MerkleFrontier();
        long upTo = newest == null ? 0 : newest.head().treeSize();
        if (upTo > 0) {
            events.forEachUpTo(upTo, event -> {
                if (event.seq() == rebuilt.size() + 1) {
                    rebuilt.append(event.leaf().hash());
                }
            });
        }
        if (newest != null && (rebuilt.size() != upTo
                || !HexFormat.of().formatHex(rebuilt.root()).equals(newest.head().rootHash()))) {
            halted = "the stored audit events no longer produce the anchored tree head of size " + upTo + " ("
                    + newest.key() + "): the log was altered or truncated; run /api/v1/audit/verify";
            log.error("audit tree head signing stopped: {}", halted);
        }
        frontier = rebuilt;
        lastSignedAt = newest == null ? null : newest.head().timestamp();
    }
}
