package io.qreg.registry.audit;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * Reads the audit events 1..{@code lastSeq} as consecutive segments, several at once on their own
 * connections and threads, and hands them over in order: reading rows out of PostgreSQL and hashing
 * them is what verifying costs, and it parallelises, while the Merkle root that follows is a cheap
 * sequential fold. At most {@code threads + 1} segments are held at a time, so memory stays bounded.
 */
final class EventSegments implements AutoCloseable {

    static final int SEGMENT_EVENTS = 65_536;

    /** Events {@code from}..{@code from + count - 1}, their leaf hashes, and the first thing wrong inside. */
    record Segment(long from, int count, byte[] leaves, String firstPrevHash, String lastHash, BrokenLink broken) {

        byte[] leaf(int index) {
            byte[] hash = new byte[32];
            System.arraycopy(leaves, index * 32, hash, 0, 32);
            return hash;
        }
    }

    private final AuditEvents events;
    private final TransactionTemplate readOnly;
    private final long lastSeq;
    private final long anchoredSize;
    private final ExecutorService pool;
    private final int threads;
    private final Deque<Future<Segment>> inFlight = new ArrayDeque<>();
    private long nextFrom = 1;

    EventSegments(AuditEvents events, TransactionTemplate readOnly, long lastSeq, long anchoredSize) {
        this.events = events;
        this.readOnly = readOnly;
        this.lastSeq = lastSeq;
        this.anchoredSize = anchoredSize;
        this.threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.pool = Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "audit-verify");
            thread.setDaemon(true);
            return thread;
        });
        for (int i = 0; i <= threads; i++) {
            submitNext();
        }
    }

    boolean hasNext() {
        return !inFlight.isEmpty();
    }

    Segment next() {
        Future<Segment> head = inFlight.poll();
        if (head == null) {
            throw new NoSuchElementException();
        }
        submitNext();
        try {
            return head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while verifying the audit log", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime
                    : new IllegalStateException("cannot read the audit log", e.getCause());
        }
    }

    private void submitNext() {
        if (nextFrom > lastSeq) {
            return;
        }
        long from = nextFrom;
        long to = Math.min(lastSeq, from + SEGMENT_EVENTS - 1);
        nextFrom = to + 1;
        inFlight.add(pool.submit(() -> readOnly.execute(status -> read(from, to))));
    }

    /** One segment: checks sequence, chain links and (for events no head covers yet) chain hashes. */
    private Segment read(long from, long to) {
        SegmentReader reader = new SegmentReader(from, (int) (to - from + 1), anchoredSize);
        events.forEachBetween(from, to, reader);
        return reader.segment();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    private static final class SegmentReader implements Consumer<AuditEvent> {

        private final long from;
        private final long anchoredSize;
        private final byte[] leaves;
        private int count;
        private String firstPrevHash;
        private String lastHash;
        private BrokenLink broken;

        SegmentReader(long from, int size, long anchoredSize) {
            this.from = from;
            this.anchoredSize = anchoredSize;
            this.leaves = new byte[size * 32];
        }

        @Override
        public void accept(AuditEvent event) {
            if (broken != null) {
                return;
            }
            long expected = from + count;
            if (event.seq() != expected) {
                broken = new BrokenLink(event.seq(), event.id(),
                        "sequence gap: expected event " + expected + " but found " + event.seq());
                return;
            }
            if (count == 0) {
                firstPrevHash = event.prevHash();
            } else if (!event.prevHash().equals(lastHash)) {
                broken = new BrokenLink(event.seq(), event.id(),
                        "prevHash does not match the hash of event " + (event.seq() - 1));
                return;
            }
            // Anchored events are proven by the signed heads; the chain is the only check for the rest.
            if (event.seq() > anchoredSize && !event.hash().equals(event.computeHash())) {
                broken = new BrokenLink(event.seq(), event.id(),
                        "content does not match its hash: the event was altered after it was written");
                return;
            }
            System.arraycopy(event.leaf().hash(), 0, leaves, count * 32, 32);
            lastHash = event.hash();
            count++;
        }

        Segment segment() {
            return new Segment(from, count, leaves, firstPrevHash, lastHash, broken);
        }
    }
}
