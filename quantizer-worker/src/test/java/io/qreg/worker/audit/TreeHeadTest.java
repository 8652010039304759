package io.qreg.worker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TreeHeadTest {

    /** RFC 8032 section 7.1, TEST 1: the seed, its public key, and the signature of the empty message. */
    private static final String RFC8032_SEED = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
    private static final String RFC8032_PUBLIC = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    private static final String RFC8032_EMPTY_SIGNATURE = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

    @Test
    void thePublicKeyIsDerivedFromAPkcs8PrivateKeyAsOpensslWritesIt() {
        byte[] der = HexFormat.of().parseHex("302e020100300506032b657004220420" + RFC8032_SEED);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getEncoder().encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";

        KeyPair pair = Ed25519Keys.readPrivatePem(pem);

        assertThat(HexFormat.of().formatHex(pair.getPublic().getEncoded()))
                .isEqualTo("302a300506032b6570032100" + RFC8032_PUBLIC);
        assertThat(HexFormat.of().formatHex(Ed25519Keys.sign(pair.getPrivate(), new byte[0])))
                .isEqualTo(RFC8032_EMPTY_SIGNATURE);
        assertThat(Ed25519Keys.readPublicPem(Ed25519Keys.publicPem(pair.getPublic())))
                .isEqualTo(pair.getPublic());
    }

    @Test
    void aGeneratedKeyRoundTripsThroughPem() {
        KeyPair pair = Ed25519Keys.readPrivatePem(Ed25519Keys.generatePrivatePem());
        byte[] message = "tree".getBytes(StandardCharsets.UTF_8);
        assertThat(Ed25519Keys.verify(pair.getPublic(), message, Ed25519Keys.sign(pair.getPrivate(), message))).isTrue();
        assertThat(Ed25519Keys.fingerprint(pair.getPublic())).hasSize(64);
    }

    @Test
    void notAPrivateKeyIsRefusedWithAReason() {
        assertThatThrownBy(() -> Ed25519Keys.readPrivatePem("hello")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PRIVATE KEY");
    }

    @Test
    void aSignedHeadVerifiesAndAnyChangedFieldBreaksIt() {
        KeyPair pair = Ed25519Keys.readPrivatePem(Ed25519Keys.generatePrivatePem());
        byte[] root = MerkleTree.leafHash(new byte[] {1});
        TreeHead head = TreeHead.sign(42, root, Instant.parse("2026-01-02T03:04:05.678901Z"), pair.getPrivate());

        assertThat(head.timestamp()).isEqualTo(Instant.parse("2026-01-02T03:04:05.678Z"));
        assertThat(head.verify(pair.getPublic())).isTrue();
        assertThat(new TreeHead(43, head.rootHash(), head.timestamp(), head.signature()).verify(pair.getPublic()))
                .isFalse();
        assertThat(new TreeHead(42, HexFormat.of().formatHex(MerkleTree.emptyRoot()), head.timestamp(),
                head.signature()).verify(pair.getPublic())).isFalse();
        assertThat(new TreeHead(42, head.rootHash(), head.timestamp().plusMillis(1), head.signature())
                .verify(pair.getPublic())).isFalse();
        assertThat(new TreeHead(42, head.rootHash(), head.timestamp(), "not base64!").verify(pair.getPublic()))
                .isFalse();
        KeyPair other = Ed25519Keys.readPrivatePem(Ed25519Keys.generatePrivatePem());
        assertThat(head.verify(other.getPublic())).isFalse();
        assertThat(new String(TreeHead.signingPayload(42, head.rootHash(), head.timestamp()), StandardCharsets.UTF_8))
                .isEqualTo("qreg-audit-tree-head/v1\n42\n" + head.rootHash() + "\n2026-01-02T03:04:05.678Z\n");
    }

    @Test
    void theLeafBytesAreTheDocumentedCanonicalForm() {
        AuditLeaf leaf = new AuditLeaf(7, UUID.fromString("00000000-0000-0000-0000-00000000000a"),
                Instant.parse("2026-01-02T03:04:05.120Z"), "ad\"m\\in", "model.created", "model", "m\n1", null,
                "ab", "{\"k\":1}");
        assertThat(new String(leaf.bytes(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"seq\":7,\"id\":\"00000000-0000-0000-0000-00000000000a\",\"occurredAt\":\"2026-01-02T03:04:05.120Z\","
                        + "\"actor\":\"ad\\\"m\\\\in\",\"action\":\"model.created\",\"subjectType\":\"model\","
                        + "\"subjectId\":\"m\\u000a1\",\"beforeDigest\":null,\"afterDigest\":\"ab\","
                        + "\"details\":\"{\\\"k\\\":1}\"}");
        assertThat(leaf.hash()).isEqualTo(MerkleTree.leafHash(leaf.bytes()));
    }
}
