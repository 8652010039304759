package io.qreg.worker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class MerkleTreeTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The Certificate Transparency reference leaves (transparency-dev/merkle testonly, used as data). */
    private static final List<byte[]> CT_LEAVES = List.of("", "00", "10", "2021", "3031", "40414243",
            "5051525354555657", "606162636465666768696a6b6c6d6e6f").stream()
            .map(h -> MerkleTree.leafHash(HEX.parseHex(h))).toList();
    private static final List<String> CT_ROOTS = List.of(
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    @Test
    void rootsMatchTheCertificateTransparencyReferenceForEverySizeUpToEight() {
        for (int size = 0; size <= 8; size++) {
            assertThat(HEX.formatHex(MerkleTree.root(CT_LEAVES, size))).as("size %d", size)
                    .isEqualTo(CT_ROOTS.get(size));
        }
    }

    @Test
    void inclusionProofsMatchTheReferenceProofs() {
        assertThat(hex(MerkleTree.inclusionProof(CT_LEAVES, 0, 8))).containsExactly(
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.inclusionProof(CT_LEAVES, 5, 8))).containsExactly(
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
    }

    @Test
    void consistencyProofsMatchTheReferenceProofs() {
        assertThat(hex(MerkleTree.consistencyProof(CT_LEAVES, 2, 8))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4");
        assertThat(hex(MerkleTree.consistencyProof(CT_LEAVES, 6, 8))).containsExactly(
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7");
        assertThat(hex(MerkleTree.consistencyProof(CT_LEAVES, 2, 5))).containsExactly(
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b");
    }

    @Test
    void theRootAgreesWithANaiveRecursiveDefinitionAndTheFrontierForEverySizeUpTo64() {
        List<byte[]> leaves = leaves(64);
        MerkleFrontier frontier = new MerkleFrontier();
        assertThat(frontier.root()).isEqualTo(MerkleTree.emptyRoot());
        for (int size = 1; size <= 64; size++) {
            frontier.append(leaves.get(size - 1));
            byte[] naive = naiveRoot(leaves.subList(0, size));
            assertThat(MerkleTree.root(leaves, size)).as("size %d", size).isEqualTo(naive);
            assertThat(frontier.root()).as("frontier at size %d", size).isEqualTo(naive);
            assertThat(frontier.size()).isEqualTo(size);
        }
    }

    @Test
    void everyInclusionProofUpTo64VerifiesAndEveryTamperedOneFails() {
        List<byte[]> leaves = leaves(64);
        for (int size = 1; size <= 64; size++) {
            byte[] root = naiveRoot(leaves.subList(0, size));
            for (int index = 0; index < size; index++) {
                List<byte[]> proof = MerkleTree.inclusionProof(leaves, index, size);
                assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size, proof, root))
                        .as("leaf %d of %d", index, size).isTrue();
                byte[] otherLeaf = leaves.get((index + 1) % 64);
                assertThat(MerkleTree.verifyInclusion(otherLeaf, index, size, proof, root)).isFalse();
                assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size, proof, MerkleTree.leafHash(root)))
                        .isFalse();
                if (size > 1) {
                    assertThat(MerkleTree.verifyInclusion(leaves.get(index), index ^ 1, size, proof, root))
                            .as("wrong index for leaf %d of %d", index, size).isFalse();
                }
                for (int i = 0; i < proof.size(); i++) {
                    assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size, flipped(proof, i), root))
                            .isFalse();
                }
                if (!proof.isEmpty()) {
                    assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size,
                            proof.subList(0, proof.size() - 1), root)).isFalse();
                }
                List<byte[]> extended = new ArrayList<>(proof);
                extended.add(leaves.get(0));
                assertThat(MerkleTree.verifyInclusion(leaves.get(index), index, size, extended, root)).isFalse();
            }
        }
    }

    @Test
    void everyConsistencyProofUpTo64VerifiesAndEveryTamperedOneFails() {
        List<byte[]> leaves = leaves(64);
        for (int second = 0; second <= 64; second++) {
            byte[] secondRoot = naiveRoot(leaves.subList(0, second));
            for (int first = 0; first <= second; first++) {
                byte[] firstRoot = naiveRoot(leaves.subList(0, first));
                List<byte[]> proof = MerkleTree.consistencyProof(leaves, first, second);
                assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, proof))
                        .as("%d -> %d", first, second).isTrue();
                for (int i = 0; i < proof.size(); i++) {
                    assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, flipped(proof, i)))
                            .as("%d -> %d with element %d flipped", first, second, i).isFalse();
                }
                if (!proof.isEmpty()) {
                    assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot,
                            proof.subList(0, proof.size() - 1))).isFalse();
                }
                List<byte[]> extended = new ArrayList<>(proof);
                extended.add(leaves.get(0));
                assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, secondRoot, extended)).isFalse();
                if (first != second) {
                    byte[] wrongFirst = naiveRoot(leaves.subList(0, first + 1));
                    assertThat(MerkleTree.verifyConsistency(first, second, wrongFirst, secondRoot, proof))
                            .as("%d -> %d with the wrong first root", first, second).isFalse();
                    // (the empty tree is a prefix of any tree, whatever its root: nothing to check then)
                    byte[] wrongSecond = MerkleTree.leafHash(secondRoot);
                    assertThat(MerkleTree.verifyConsistency(first, second, firstRoot, wrongSecond, proof))
                            .isEqualTo(first == 0);
                }
            }
        }
    }

    @Test
    void proofsForSizesOutsideTheTreeAreRefused() {
        assertThatThrownBy(() -> MerkleTree.inclusionProof(CT_LEAVES, 8, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.inclusionProof(CT_LEAVES, 0, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MerkleTree.consistencyProof(CT_LEAVES, 5, 3)).isInstanceOf(IllegalArgumentException.class);
        assertThat(MerkleTree.verifyInclusion(new byte[31], 0, 1, List.of(), new byte[32])).isFalse();
    }

    private static List<byte[]> leaves(int n) {
        List<byte[]> leaves = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            leaves.add(MerkleTree.leafHash(new byte[] {(byte) i, (byte) (i * 7)}));
        }
        return leaves;
    }

    /** RFC 6962's MTH written as literally as possible, independently of the code under test. */
    private static byte[] naiveRoot(List<byte[]> leafHashes) {
        if (leafHashes.isEmpty()) {
            return MerkleTree.sha256().digest();
        }
        if (leafHashes.size() == 1) {
            return leafHashes.get(0);
        }
        int k = 1;
        while (k * 2 < leafHashes.size()) {
            k *= 2;
        }
        byte[] left = naiveRoot(leafHashes.subList(0, k));
        byte[] right = naiveRoot(leafHashes.subList(k, leafHashes.size()));
        byte[] joined = new byte[65];
        joined[0] = 1;
        System.arraycopy(left, 0, joined, 1, 32);
        System.arraycopy(right, 0, joined, 33, 32);
        return MerkleTree.sha256().digest(joined);
    }

    private static List<byte[]> flipped(List<byte[]> proof, int index) {
        List<byte[]> copy = new ArrayList<>(proof);
        byte[] changed = Arrays.copyOf(proof.get(index), 32);
        changed[7] ^= 1;
        copy.set(index, changed);
        return copy;
    }

    private static List<String> hex(List<byte[]> hashes) {
        return hashes.stream().map(HEX::formatHex).toList();
    }
}
