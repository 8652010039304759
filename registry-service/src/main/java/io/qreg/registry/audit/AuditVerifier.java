package io.qreg.registry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
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

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Checks the stored audit events against every signed tree head anchored outside the database (never
 * the database's own copy): each head's signature, then one pass over the events in order computing
 * their leaf hashes and the running Merkle root (O(log n) memory), compared with each head at its
 * size. An event edited behind the triggers' back changes its leaf, and so the root of every head
 * after it, however the attacker recomputed the chain's hashes; deleted or truncated events leave the
 * log shorter than a head. Events no head covers yet are checked against the hash chain only.
 */
@Service
public class AuditVerifier {

    private final JdbcTemplate streaming;
    private final TreeHeadAnchors anchors;
    private final TreeHeadStore store;
    private final AuditSigningKey key;

    AuditVerifier(JdbcTemplate jdbc, TreeHeadAnchors anchors, TreeHeadStore store, AuditSigningKey key) {
        // Verification walks the whole log; a cursor keeps memory flat however long it is.
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(1000);
        this.anchors = anchors;
        this.store = store;
        this.key = key;
    }

    @Transactional(readOnly = true)
    public ChainVerification verify() {
        List<TreeHeadAnchors.Anchored> heads;
        try {
            heads = anchors.all();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the anchored audit tree heads", e);
        }
        TreeHead newest = heads.stream().map(TreeHeadAnchors.Anchored::head).filter(h -> h.timestamp() != null)
                .max(Comparator.comparing(TreeHead::timestamp)).orElse(null);
        long anchoredSize = heads.isEmpty() ? 0 : heads.get(heads.size() - 1).head().treeSize();
        Optional<BrokenLink> forged = forgedOrMissingAnchor(heads);
        if (forged.isPresent()) {
            return ChainVerification.broken(0, forged.get(), anchoredSize, heads.size(), newest);
        }
        Walk walk = new Walk(heads, anchoredSize);
        walk.checkHeadsAt(0);
        streaming.query("select * from audit_event order by seq", (ResultSet rs) -> {
            if (walk.broken == null) {
                walk.accept(AuditLog.ROW_MAPPER.mapRow(rs, 0));
            }
        });
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
    private Optional<BrokenLink> forgedOrMissingAnchor(List<TreeHeadAnchors.Anchored> heads) {
        Set<String> anchored = new HashSet<>();
        for (TreeHeadAnchors.Anchored anchoredHead : heads) {
            anchored.add(anchoredHead.key());
            if (!anchoredHead.head().verify(key.publicKey())) {
                return Optional.of(new BrokenLink(Math.max(anchoredHead.head().treeSize(), 0), null,
                        "the tree head anchored as " + anchoredHead.key()
                                + " is not validly signed by this registry's audit key"));
            }
        }
        for (String listed : store.anchorKeys()) {
            if (!anchored.contains(listed)) {
                return Optional.of(new BrokenLink(0, null, "the tree head " + listed
                        + " recorded in the database is missing from the anchor store"));
            }
        }
        return Optional.empty();
    }

    /** One pass over the events: chain links, leaf hashes, the running root against each head. */
    private final class Walk {

        private final List<TreeHeadAnchors.Anchored> heads;
        private final long anchoredSize;
        private final MerkleFrontier frontier = new MerkleFrontier();
        /** Events since the last head that matched, to name the first one that differs when the next does not. */
        private final List<AuditEvent> sinceLastHead = new ArrayList<>();
        private final List<byte[]> leavesSinceLastHead = new ArrayList<>();
        private String previousHash = AuditEvent.GENESIS;
        private int nextHead;
        private BrokenLink broken;

        Walk(List<TreeHeadAnchors.Anchored> heads, long anchoredSize) {
            this.heads = heads;
            this.anchoredSize = anchoredSize;
        }

        void accept(AuditEvent event) {
            long expected = frontier.size() + 1;
            if (event.seq() != expected) {
                broken = new BrokenLink(event.seq(), event.id(),
                        "sequence gap: expected event " + expected + " but found " + event.seq());
                return;
            }
            if (!event.prevHash().equals(previousHash)) {
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
            byte[] leaf = event.leaf().hash();
            frontier.append(leaf);
            if (nextHead < heads.size()) {
                sinceLastHead.add(event);
                leavesSinceLastHead.add(leaf);
            }
            previousHash = event.hash();
            checkHeadsAt(frontier.size());
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
            if (matched) {
                sinceLastHead.clear();
                leavesSinceLastHead.clear();
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
                    AuditEvent event = sinceLastHead.get(i);
                    long offset = event.seq() - 1 - leaves.fromSize();
                    if (offset >= 0 && offset < leaves.hashes().size()
                            && !Arrays.equals(leaves.hashes().get((int) offset), leavesSinceLastHead.get(i))) {
                        return new BrokenLink(event.seq(), event.id(), "content differs from what " + signed
                                + " covers: the event was altered after it was anchored");
                    }
                }
            }
            AuditEvent first = sinceLastHead.isEmpty() ? null : sinceLastHead.get(0);
            return new BrokenLink(first == null ? head.head().treeSize() : first.seq(),
                    first == null ? null : first.id(), "the events up to " + head.head().treeSize()
                            + " do not produce the root of " + signed + "; the first that may differ is this one");
        }
    }
}
