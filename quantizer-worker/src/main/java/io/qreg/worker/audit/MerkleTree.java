package io.qreg.worker.audit;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RFC 6962 (section 2.1) Merkle tree hashing over leaf hashes, with inclusion and consistency proofs
 * generated per RFC 6962 section 2.1.1/2.1.2 and verified with the algorithms of RFC 9162 section
 * 2.1.3.2/2.1.4.2. Hashes are 32-byte SHA-256 digests; {@code leaves} are leaf hashes, not leaf data.
 */
public final class MerkleTree {

    public static final int HASH_BYTES = 32;
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleTree() {
    }

    /** SHA-256(0x00 || data): the hash of one leaf. */
    public static byte[] leafHash(byte[] data) {
        MessageDigest sha = sha256();
        sha.update(LEAF_PREFIX);
        return sha.digest(data);
    }

    /** SHA-256(0x01 || left || right): the hash of an interior node. */
    public static byte[] nodeHash(byte[] left, byte[] right) {
        MessageDigest sha = sha256();
        sha.update(NODE_PREFIX);
        sha.update(left);
        return sha.digest(right);
    }

    /** MTH of the empty tree: SHA-256 of nothing. */
    public static byte[] emptyRoot() {
        return sha256().digest();
    }

    /** MTH(D[0:size]) over the first {@code size} leaf hashes. */
    public static byte[] root(List<byte[]> leaves, long size) {
        checkSize(leaves, size);
        return size == 0 ? emptyRoot() : subtreeRoot(leaves, 0, (int) size);
    }

    /** The audit path of leaf {@code index} in the tree of the first {@code size} leaves (RFC 6962 PATH). */
    public static List<byte[]> inclusionProof(List<byte[]> leaves, long index, long size) {
        checkSize(leaves, size);
        if (index < 0 || index >= size) {
            throw new IllegalArgumentException("leaf index " + index + " is not in a tree of size " + size);
        }
        List<byte[]> path = new ArrayList<>();
        path(leaves, (int) index, 0, (int) size, path);
        return path;
    }

    /** The consistency proof from the tree of size {@code first} to that of size {@code second} (RFC 6962 PROOF). */
    public static List<byte[]> consistencyProof(List<byte[]> leaves, long first, long second) {
        checkSize(leaves, second);
        if (first < 0 || first > second) {
            throw new IllegalArgumentException("cannot prove size " + first + " consistent with size " + second);
        }
        List<byte[]> proof = new ArrayList<>();
        if (first > 0 && first < second) {
            subproof(leaves, (int) first, 0, (int) second, true, proof);
        }
        return proof;
    }

    /** RFC 9162 2.1.3.2: whether {@code proof} shows leaf {@code leafHash} at {@code index} under {@code root}. */
    public static boolean verifyInclusion(byte[] leafHash, long index, long size, List<byte[]> proof, byte[] root) {
        if (index < 0 || index >= size || !wellFormed(leafHash) || !wellFormed(root) || !allWellFormed(proof)) {
            return false;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = leafHash;
        for (byte[] p : proof) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = nodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                r = nodeHash(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(r, root);
    }

    /** RFC 9162 2.1.4.2: whether {@code proof} shows the tree of size {@code first} is a prefix of that of {@code second}. */
    public static boolean verifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot,
            List<byte[]> proof) {
        if (first < 0 || first > second || !wellFormed(firstRoot) || !wellFormed(secondRoot)
                || !allWellFormed(proof)) {
            return false;
        }
        if (first == second) {
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, secondRoot);
        }
        if (first == 0) {
            // The empty tree is a prefix of every tree; RFC 9162 needs no proof for it.
            return proof.isEmpty() && MessageDigest.isEqual(firstRoot, emptyRoot());
        }
        List<byte[]> path = new ArrayList<>(proof);
        if (Long.bitCount(first) == 1) {
            path.add(0, firstRoot);
        }
        if (path.isEmpty()) {
            return false;
        }
        long fn = first - 1;
        long sn = second - 1;
        while ((fn & 1) == 1) {
            fn >>= 1;
            sn >>= 1;
        }
        byte[] fr = path.get(0);
        byte[] sr = path.get(0);
        for (byte[] c : path.subList(1, path.size())) {
            if (sn == 0) {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn) {
                fr = nodeHash(c, fr);
                sr = nodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
            } else {
                sr = nodeHash(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && MessageDigest.isEqual(fr, firstRoot) && MessageDigest.isEqual(sr, secondRoot);
    }

    /** The largest power of two smaller than {@code n} (n &gt; 1): where RFC 6962 splits a tree. */
    static int split(int n) {
        return Integer.highestOneBit(n - 1);
    }

    private static byte[] subtreeRoot(List<byte[]> leaves, int from, int to) {
        int n = to - from;
        if (n == 1) {
            return leaves.get(from);
        }
        int k = split(n);
        return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
    }

    private static void path(List<byte[]> leaves, int m, int from, int to, List<byte[]> out) {
        int n = to - from;
        if (n <= 1) {
            return;
        }
        int k = split(n);
        if (m < k) {
            path(leaves, m, from, from + k, out);
            out.add(subtreeRoot(leaves, from + k, to));
        } else {
            path(leaves, m - k, from + k, to, out);
            out.add(subtreeRoot(leaves, from, from + k));
        }
    }

    private static void subproof(List<byte[]> leaves, int m, int from, int to, boolean complete, List<byte[]> out) {
        int n = to - from;
        if (m == n) {
            if (!complete) {
                out.add(subtreeRoot(leaves, from, to));
            }
            return;
        }
        int k = split(n);
        if (m <= k) {
            subproof(leaves, m, from, from + k, complete, out);
            out.add(subtreeRoot(leaves, from + k, to));
        } else {
            subproof(leaves, m - k, from + k, to, false, out);
            out.add(subtreeRoot(leaves, from, from + k));
        }
    }

    private static void checkSize(List<byte[]> leaves, long size) {
        if (size < 0 || size > leaves.size()) {
            throw new IllegalArgumentException("tree size " + size + " is not within the " + leaves.size()
                    + " leaves given");
        }
    }

    private static boolean wellFormed(byte[] hash) {
        return hash != null && hash.length == HASH_BYTES;
    }

    private static boolean allWellFormed(List<byte[]> hashes) {
        return hashes != null && hashes.stream().allMatch(MerkleTree::wellFormed);
    }

    /**
     * A reset SHA-256 digest of this thread's own: looking one up per hash costs about as much as the
     * hash itself, and verifying a log computes two per event.
     */
    static MessageDigest sha256() {
        MessageDigest digest = SHA256.get();
        digest.reset();
        return digest;
    }

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    });

    /** A copy of {@code hash}, so callers cannot alter a tree's state through what it returned. */
    static byte[] copy(byte[] hash) {
        return Arrays.copyOf(hash, hash.length);
    }
}
