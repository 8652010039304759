package io.qreg.registry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import io.qreg.worker.audit.MerkleFrontier;
import io.qreg.worker.audit.TreeHead;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks the stored audit events against every signed tree head anchored outside the database (never
 * the database's own copy): each head's signature, then the events in order, read and hashed in
 * parallel segments ({@link EventSegments}) and folded into the running Merkle root (O(log n) state),
 * which is compared with each head at its size. An event edited behind the triggers' back changes its leaf, and so the root of every head
 * after it, however the attacker recomputed the chain's hashes; deleted or truncated events leave the
 * log shorter than a head. Events no head covers yet are checked against the hash chain only.
 */
@Service
public class AuditVerifier {

    private final AuditEvents events;
    private final TransactionTemplate readOnly;
    private final TreeHeadAnchors anchors;
    private final TreeHeads store;
    private final AuditSigningKey key;

    AuditVerifier(AuditEvents events, PlatformTransactionManager transactions, TreeHeadAnchors anchors,
            TreeHeads store, AuditSigningKey key) {
        this.events = events;
        // Verification reads the whole log; cursors (inside read-only transactions) keep memory flat.
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
        this.anchors = anchors;
        this.store = store;
        this.key = key;
    }

    public ChainVerification verify() {
        // The database's keys first: the signer anchors a head before it records it, so every key read
        // here is in the store listed next, even while a head is being signed.
        List<String> recordedAnchors = store.anchorKeys();
        List<TreeHeadAnchors.Anchored> heads;
        try {
            heads = anchors.all();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the anchored audit tree heads", e);
        }
        TreeHead newest = heads.stream().map(TreeHeadAnchors.Anchored::head).filter(h -> h.timestamp() != null)
                .max(Comparator.comparing(TreeHead::timestamp)).orElse(null);
        long anchoredSize = heads.isEmpty() ? 0 : heads.get(heads.size() - 1).head().treeSize();
        Optional<BrokenLink> forged = forgedOrMissingAnchor(heads, recordedAnchors);
        if (forged.isPresent()) {
            return ChainVerification.broken(0, forged.get(), anchoredSize, heads.size(), newest);
        }
        Long lastSeq = events.lastSeq();
        Walk walk = new Walk(heads);
        walk.checkHeadsAt(0);
        try (EventSegments segments = new EventSegments(events, readOnly, lastSeq == null ? 0 : lastSeq,
                anchoredSize)) {
            while (walk.broken == null && segments.hasNext()) {
                walk.accept(segments.next());
            }
        }
        if (walk.broken == null && walk.nextHead < heads.size()) {
            TreeHead uncovered = heads.get(walk.nextHead).head();
            walk.broken = new BrokenLink(walk.frontier.size() + 1, null, "event " + (walk.frontier.size() + 1)
                    + " is missing: the tree head signed at " + uncovered.timestamp() + " covers "
                    + uncovered.treeSize() + " events but only " + walk.frontier.size()
                    + " are stored (deleted or truncated)");
        }
        return walk.broken == null
                ? ChainVerification.intact(walk.frontier.size(), walk.previousHash, anchoredSize, heads.size(), newest)
                : ChainVerification.broken(walk.frontier.size(), walk.broken, anchoredSize, heads.size(), newest);
    }

    /** A head not signed by this registry's key, or one the database lists but the anchor store lost. */
    private Optional<BrokenLink> forgedOrMissingAnchor(List<TreeHeadAnchors.Anchored> heads,
            List<String> recordedAnchors) {
        Set<String> anchored = new HashSet<>();
        for (TreeHeadAnchors.Anchored anchoredHead : heads) {
            anchored.add(anchoredHead.key());
            if (!anchoredHead.head().verify(key.publicKey())) {
                return Optional.of(new BrokenLink(Math.max(anchoredHead.head().treeSize(), 0), null,
                        "the tree head anchored as " + anchoredHead.key()
                                + " is not validly signed by this registry's audit key"));
            }
        }
        for (String listed : recordedAnchors) {
            if (!anchored.contains(listed)) {
                return Optional.of(new BrokenLink(0, null, "the tree head " + listed
                        + " recorded in the database is missing from the anchor store"));
            }
        }
        return Optional.empty();
    }

    /** Folds the segments, in order, into the running root and compares it with each head at its size. */
    private final class Walk {

        private final List<TreeHeadAnchors.Anchored> heads;
        private final MerkleFrontier frontier = new MerkleFrontier();
        /** Leaves since the last head that matched, to name the first that differs when the next head does not. */
        private final List<byte[]> sinceLastHead = new ArrayList<>();
        private long sinceLastHeadFrom = 1;
        private String previousHash = AuditEvent.GENESIS;
        private int nextHead;
        private BrokenLink broken;

        Walk(List<TreeHeadAnchors.Anchored> heads) {
            this.heads = heads;
        }

        void accept(EventSegments.Segment segment) {
            if (segment.count() > 0 && !segment.firstPrevHash().equals(previousHash)) {
                broken = new BrokenLink(segment.from(), events.idOf(segment.from()),
                        "prevHash does not match the hash of event " + (segment.from() - 1));
                return;
            }
            for (int i = 0; i < segment.count() && broken == null; i++) {
                byte[] leaf = segment.leaf(i);
                frontier.append(leaf);
                if (nextHead < heads.size()) {
                    sinceLastHead.add(leaf);
                }
                checkHeadsAt(frontier.size());
            }
            if (broken != null) {
                return;
            }
            if (segment.broken() != null) {
                broken = segment.broken();
                return;
            }
            previousHash = segment.count() > 0 ? segment.lastHash() : previousHash;
            if (segment.count() < segment.leaves().length / 32) {
                long expected = segment.from() + segment.count();
                Long found = events.firstSeqAbove(expected);
                if (found != null) {
                    broken = new BrokenLink(found, events.idOf(found),
                            "sequence gap: expected event " + expected + " but found " + found);
                }
            }
        }

        void checkHeadsAt(long size) {
            boolean matched = false;
            while (broken == null && nextHead < heads.size() && heads.get(nextHead).head().treeSize() == size) {
                TreeHeadAnchors.Anchored head = heads.get(nextHead++);
                if (!HexFormat.of().formatHex(frontier.root()).equals(head.head().rootHash())) {
                    broken = firstDifference(head);
                }
                matched = true;
            }
            if (matched && broken == null) {
                sinceLastHead.clear();
                sinceLastHeadFrom = size + 1;
            }
        }

        /** The first event since the last matching head whose leaf differs from what {@code head} anchored. */
        private BrokenLink firstDifference(TreeHeadAnchors.Anchored head) {
            String signed = "the tree head signed at " + head.head().timestamp() + " for " + head.head().treeSize()
                    + " events";
            Optional<TreeHeadAnchors.Leaves> anchoredLeaves;
            try {
                anchoredLeaves = anchors.leaves(head.key());
            } catch (IOException e) {
                anchoredLeaves = Optional.empty();
            }
            if (anchoredLeaves.isPresent()) {
                TreeHeadAnchors.Leaves leaves = anchoredLeaves.get();
                for (int i = 0; i < sinceLastHead.size(); i++) {
                    long seq = sinceLastHeadFrom + i;
                    long offset = seq - 1 - leaves.fromSize();
                    if (offset >= 0 && offset < leaves.hashes().size()
                            && !Arrays.equals(leaves.hashes().get((int) offset), sinceLastHead.get(i))) {
                        return new BrokenLink(seq, events.idOf(seq), "content differs from what " + signed
                                + " covers: the event was altered after it was anchored");
                    }
                }
            }
            long first = sinceLastHead.isEmpty() ? head.head().treeSize() : sinceLastHeadFrom;
            return new BrokenLink(first, events.idOf(first), "the events up to " + head.head().treeSize()
                    + " do not produce the root of " + signed + "; the first that may differ is this one");
        }
    }
}
