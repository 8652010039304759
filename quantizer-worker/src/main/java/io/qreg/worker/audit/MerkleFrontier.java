package io.qreg.worker.audit;

import java.util.ArrayList;
import java.util.List;

/**
 * The running root of an append-only tree in O(log n) memory: the roots of the perfect subtrees that
 * the tree's size decomposes into, left to right (a "compact range" of the whole tree). Appending
 * merges equal-sized subtrees; the root folds them right to left, which is RFC 6962's MTH because
 * RFC 6962 splits every tree at the largest power of two below its size.
 */
public final class MerkleFrontier {

    private final List<byte[]> subtrees = new ArrayList<>();
    private long size;

    public MerkleFrontier() {
    }

    private MerkleFrontier(MerkleFrontier other) {
        subtrees.addAll(other.subtrees);
        size = other.size;
    }

    /** An independent copy: appending to it leaves this one as it is. */
    public MerkleFrontier copy() {
        return new MerkleFrontier(this);
    }

    public long size() {
        return size;
    }

    public void append(byte[] leafHash) {
        if (leafHash == null || leafHash.length != MerkleTree.HASH_BYTES) {
            throw new IllegalArgumentException("a leaf hash has " + MerkleTree.HASH_BYTES + " bytes");
        }
        byte[] carry = leafHash;
        for (long s = size; (s & 1) == 1; s >>= 1) {
            carry = MerkleTree.nodeHash(subtrees.remove(subtrees.size() - 1), carry);
        }
        subtrees.add(carry);
        size++;
    }

    /** MTH of every leaf appended so far. */
    public byte[] root() {
        if (subtrees.isEmpty()) {
            return MerkleTree.emptyRoot();
        }
        byte[] root = subtrees.get(subtrees.size() - 1);
        for (int i = subtrees.size() - 2; i >= 0; i--) {
            root = MerkleTree.nodeHash(subtrees.get(i), root);
        }
        return MerkleTree.copy(root);
    }
}
