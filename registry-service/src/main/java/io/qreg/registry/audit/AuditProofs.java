package io.qreg.registry.audit;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import io.qreg.registry.web.ApiException;
import io.qreg.worker.audit.MerkleTree;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * Inclusion and consistency proofs over the audit Merkle tree, computed from the events' content (the
 * tree's leaves are never stored). A client checks them against a signed head it trusts; the roots in
 * the answers are only what the stored events produce now.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class AuditProofs {

    private static final HexFormat HEX = HexFormat.of();

    private final AuditEvents events;
    private final TreeHeads heads;

    /** Leaf {@code seq} is leaf index seq - 1 of the tree. */
    public record InclusionProof(long seq, long leafIndex, long treeSize, String leafHash, List<String> auditPath,
            String rootHash) {
    }

    public record ConsistencyProof(long from, long to, String fromRootHash, String toRootHash, List<String> proof) {
    }

    /** The audit path of event {@code seq} in the tree of {@code treeSize} events (default: the newest signed head's). */
    @Transactional(readOnly = true)
    public InclusionProof inclusion(long seq, Long treeSize) {
        long size = treeSize != null ? treeSize
                : heads.newest().map(h -> h.treeSize()).orElseThrow(() -> ApiException.conflict(
                        "no tree head has been signed yet; pass treeSize"));
        if (seq < 1) {
            throw ApiException.invalid("seq", "seq must be 1 or more, got " + seq);
        }
        if (size < seq) {
            throw ApiException.invalid("treeSize", "treeSize must be at least the event's seq " + seq + ", got " + size);
        }
        List<byte[]> leaves = leaves(size, "treeSize");
        return new InclusionProof(seq, seq - 1, size, HEX.formatHex(leaves.get((int) seq - 1)),
                hex(MerkleTree.inclusionProof(leaves, seq - 1, size)), HEX.formatHex(MerkleTree.root(leaves, size)));
    }

    @Transactional(readOnly = true)
    public ConsistencyProof consistency(Long from, Long to) {
        if (from == null || from < 0) {
            throw ApiException.invalid("from", "from must be a tree size of 0 or more, got " + from);
        }
        if (to == null || to < from) {
            throw ApiException.invalid("to", "to must be a tree size of at least from (" + from + "), got " + to);
        }
        List<byte[]> leaves = leaves(to, "to");
        return new ConsistencyProof(from, to, HEX.formatHex(MerkleTree.root(leaves, from)),
                HEX.formatHex(MerkleTree.root(leaves, to)), hex(MerkleTree.consistencyProof(leaves, from, to)));
    }

    /** The leaf hashes of events 1..size, refused (naming {@code field}) when the log does not hold that many. */
    private List<byte[]> leaves(long size, String field) {
        if (size > Integer.MAX_VALUE - 8) {
            throw ApiException.invalid(field, field + " " + size + " is larger than any audit log this registry proves");
        }
        List<byte[]> leaves = new ArrayList<>((int) Math.min(size, 1 << 20));
        events.forEachUpTo(size, event -> {
            if (event.seq() == leaves.size() + 1) {
                leaves.add(event.leaf().hash());
            }
        });
        if (leaves.size() < size) {
            throw ApiException.invalid(field, field + " " + size + " is beyond the " + leaves.size()
                    + " consecutive events the log holds");
        }
        return leaves;
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(HEX::formatHex).toList();
    }
}
