package io.qreg.registry.audit;

import static io.qreg.registry.support.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import io.qreg.registry.artifact.WriteOnceStore;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.worker.audit.AuditLeaf;
import io.qreg.worker.audit.Ed25519Keys;
import io.qreg.worker.audit.MerkleFrontier;
import io.qreg.worker.audit.MerkleTree;
import io.qreg.worker.audit.TreeHead;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/** Signed tree heads over real HTTP: the key, the heads and their anchors, proofs, and refusals. */
class AuditTreeHeadIT extends IntegrationTest {

    @Autowired
    TreeHeadSigner signer;
    @Autowired
    AuditLog audit;
    @Autowired
    WriteOnceStore anchors;

    @Test
    void thePublicKeyIsServedAsPemAndTheGeneratedPrivateKeyIsReadableByItsOwnerOnly() throws Exception {
        HttpApi.Reply reply = admin().get("/api/v1/audit/public-key");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("application/x-pem-file");
        PublicKey served = Ed25519Keys.readPublicPem(reply.body());
        Path keyFile = DATA_DIR.resolve("keys").resolve("audit-signing.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        var pair = Ed25519Keys.readPrivatePem(Files.readString(keyFile));
        assertThat(pair.getPublic()).isEqualTo(served);
        assertThat(reply.header("X-Key-Fingerprint")).isEqualTo("sha256:" + Ed25519Keys.fingerprint(served));
        assertThat(userWith("VIEWER").get("/api/v1/audit/public-key").status()).isEqualTo(200);
        assertThat(anonymous().get("/api/v1/audit/public-key").status()).isEqualTo(401);
    }

    @Test
    void aSignedHeadIsListedAnchoredWriteOnceOutsideTheDatabaseAndCoversTheEventsAsTheApiListsThem()
            throws Exception {
        admin().post("/api/v1/models", Map.of("name", unique("headed"), "task", "other"));
        TreeHead signed = signer.signNow().orElseThrow();

        JsonNode listed = admin().get("/api/v1/audit/checkpoints?size=1").json().get("items").get(0);
        TreeHead head = new TreeHead(listed.get("treeSize").asLong(), listed.get("rootHash").asString(),
                Instant.parse(listed.get("timestamp").asString()), listed.get("signature").asString());
        assertThat(head).isEqualTo(signed);
        assertThat(head.verify(publicKey())).isTrue();
        assertThat(HexFormat.of().formatHex(rootOfEventsAsListed(head.treeSize()))).isEqualTo(head.rootHash());

        String anchor = anchorOf(head);
        assertThat(anchors.create(anchor, "{}".getBytes(StandardCharsets.UTF_8))).isFalse();
        String stored = new String(anchors.read(anchor).orElseThrow(), StandardCharsets.UTF_8);
        assertThat(HttpApi.JSON.readTree(stored).get("rootHash").asString()).isEqualTo(head.rootHash());
        assertThat(Path.of(DATA_DIR.toString(), "artifacts", anchor)).exists();
    }

    @Test
    void aThousandNewEventsGetASignedHeadWithoutWaitingForTheMinute() {
        long before = signer.signNow().orElseThrow().treeSize();
        for (int i = 0; i < 1000; i++) {
            audit.recordAs("test", "test.bulk", "test", "bulk-" + i, null, null, Map.of("i", i));
        }
        // signNow() just reset the minute's clock: only the every-1,000-events rule can sign this head.
        long size = eventually(Duration.ofSeconds(20),
                () -> admin().get("/api/v1/audit/checkpoints?size=1").json().get("items").get(0).get("treeSize")
                        .asLong(), s -> s >= before + 1000, "a head over the thousand new events");
        assertThat(size).isGreaterThanOrEqualTo(before + 1000);
    }

    @Test
    void inclusionAndConsistencyProofsCheckOutAgainstSignedHeads() {
        TreeHead first = signer.signNow().orElseThrow();
        String name = unique("proven");
        admin().post("/api/v1/models", Map.of("name", name, "task", "other"));
        TreeHead second = signer.signNow().orElseThrow();
        long seq = jdbc.queryForObject("select seq from audit_event where subject_id = ?", Long.class, name);

        JsonNode proof = admin().get("/api/v1/audit/events/" + seq + "/proof?treeSize=" + second.treeSize()).json();
        byte[] leaf = leafAsListed(seq);
        assertThat(proof.get("leafHash").asString()).isEqualTo(HexFormat.of().formatHex(leaf));
        assertThat(MerkleTree.verifyInclusion(leaf, seq - 1, second.treeSize(), hashes(proof.get("auditPath")),
                second.rootBytes())).isTrue();
        assertThat(MerkleTree.verifyInclusion(leaf, seq - 1, second.treeSize(), hashes(proof.get("auditPath")),
                first.rootBytes())).isFalse();
        assertThat(admin().get("/api/v1/audit/events/" + seq + "/proof").json().get("treeSize").asLong())
                .isGreaterThanOrEqualTo(second.treeSize());

        JsonNode consistency = admin().get("/api/v1/audit/consistency?from=" + first.treeSize() + "&to="
                + second.treeSize()).json();
        assertThat(MerkleTree.verifyConsistency(first.treeSize(), second.treeSize(), first.rootBytes(),
                second.rootBytes(), hashes(consistency.get("proof")))).isTrue();
    }

    @Test
    void proofsOutsideTheLogAndBadParametersAreRefusedNamingTheField() {
        long events = jdbc.queryForObject("select max(seq) from audit_event", Long.class);
        assertProblem(admin().get("/api/v1/audit/events/0/proof?treeSize=1"), "seq");
        assertProblem(admin().get("/api/v1/audit/events/1/proof?treeSize=" + (events + 1000)), "treeSize");
        assertProblem(admin().get("/api/v1/audit/events/5/proof?treeSize=3"), "treeSize");
        assertProblem(admin().get("/api/v1/audit/consistency?to=3"), "from");
        assertProblem(admin().get("/api/v1/audit/consistency?from=3&to=2"), "to");
        assertProblem(admin().get("/api/v1/audit/consistency?from=1&to=" + (events + 1000)), "to");
        assertProblem(admin().get("/api/v1/audit?afterSeq=-1"), "afterSeq");
    }

    @Test
    void listingAfterASeqGoesOldestFirst() {
        admin().post("/api/v1/models", Map.of("name", unique("ordered"), "task", "other"));
        JsonNode items = admin().get("/api/v1/audit?afterSeq=1&size=3").json().get("items");
        assertThat(items).hasSize(3);
        assertThat(List.of(items.get(0).get("seq").asLong(), items.get(1).get("seq").asLong(),
                items.get(2).get("seq").asLong())).containsExactly(2L, 3L, 4L);
    }

    @Test
    void verifyCountsAnchoredAndNotYetAnchoredEvents() {
        TreeHead head = signer.signNow().orElseThrow();
        admin().post("/api/v1/models", Map.of("name", unique("fresh"), "task", "other"));

        JsonNode verify = admin().get("/api/v1/audit/verify").json();
        assertThat(verify.get("valid").asBoolean()).isTrue();
        assertThat(verify.get("anchoredTreeSize").asLong()).isGreaterThanOrEqualTo(head.treeSize());
        assertThat(verify.get("treeHeadsChecked").asInt()).isPositive();
        assertThat(verify.get("eventsChecked").asLong())
                .isEqualTo(verify.get("anchoredTreeSize").asLong() + verify.get("unanchoredEvents").asLong());
    }

    private static void assertProblem(HttpApi.Reply reply, String field) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo(field);
    }

    private PublicKey publicKey() {
        return Ed25519Keys.readPublicPem(admin().get("/api/v1/audit/public-key").body());
    }

    /** The anchor of {@code head}: found by listing the store, as an auditor with access to it would. */
    private String anchorOf(TreeHead head) throws Exception {
        try (Stream<Path> files = Files.list(DATA_DIR.resolve("artifacts").resolve("audit").resolve("tree-heads"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
                if (Files.readString(file).contains(head.signature())) {
                    return "audit/tree-heads/" + file.getFileName();
                }
            }
        }
        throw new AssertionError("no anchor holds the head of size " + head.treeSize());
    }

    /** The Merkle root of the first {@code size} events, recomputed from what GET /api/v1/audit lists. */
    private byte[] rootOfEventsAsListed(long size) {
        MerkleFrontier frontier = new MerkleFrontier();
        long after = 0;
        while (frontier.size() < size) {
            JsonNode items = admin().get("/api/v1/audit?afterSeq=" + after + "&size=200").json().get("items");
            for (JsonNode item : items) {
                if (frontier.size() < size) {
                    frontier.append(leaf(item).hash());
                }
                after = item.get("seq").asLong();
            }
        }
        return frontier.root();
    }

    private byte[] leafAsListed(long seq) {
        return leaf(admin().get("/api/v1/audit?afterSeq=" + (seq - 1) + "&size=1").json().get("items").get(0)).hash();
    }

    private static AuditLeaf leaf(JsonNode e) {
        return new AuditLeaf(e.get("seq").asLong(), UUID.fromString(e.get("id").asString()),
                Instant.parse(e.get("occurredAt").asString()), e.get("actor").asString(), e.get("action").asString(),
                e.get("subjectType").asString(), e.get("subjectId").asString(), text(e, "beforeDigest"),
                text(e, "afterDigest"), e.get("details").asString());
    }

    private static String text(JsonNode e, String field) {
        return e.get(field) == null || e.get(field).isNull() ? null : e.get(field).asString();
    }

    private static List<byte[]> hashes(JsonNode array) {
        return array.valueStream().map(h -> HexFormat.of().parseHex(h.asString())).toList();
    }
}
