package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.IntegrationTest;
import io.qreg.worker.audit.Ed25519Keys;
import io.qreg.worker.cli.QuantizerCli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/** {@code java -jar quantizer-worker.jar audit-verify} against a real registry, as an auditor runs it. */
class AuditVerifyCliIT extends IntegrationTest {

    @Autowired
    TreeHeadSigner signer;

    @TempDir
    Path auditor;

    record Run(int exit, String out, String err) {
    }

    @Test
    void anIntactLogVerifiesAgainstTheNewestHeadAndASavedOne() throws Exception {
        Path key = savePublicKey();
        admin().post("/api/v1/models", Map.of("name", unique("cli"), "task", "other"));
        signer.signNow().orElseThrow();
        Path saved = saveNewestHead();
        admin().post("/api/v1/models", Map.of("name", unique("cli"), "task", "other"));
        signer.signNow().orElseThrow();

        Run plain = auditVerify("--public-key", key.toString());
        assertThat(plain.exit()).as(plain.out() + plain.err()).isZero();
        assertThat(plain.out()).startsWith("OK: ");

        Run withSaved = auditVerify("--public-key", key.toString(), "--tree-head", saved.toString());
        assertThat(withSaved.exit()).as(withSaved.out() + withSaved.err()).isZero();
        assertThat(withSaved.out()).contains("extends the saved head");
    }

    @Test
    void aKeyOtherThanTheRegistrysFailsVerification() throws Exception {
        Path otherKey = Files.writeString(auditor.resolve("other.pem"), Ed25519Keys.publicPem(
                Ed25519Keys.readPrivatePem(Ed25519Keys.generatePrivatePem()).getPublic()));
        signer.signNow().orElseThrow();

        Run run = auditVerify("--public-key", otherKey.toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("FAILED", "not signed by the given public key");
    }

    @Test
    void anEventRewrittenWithEveryHashRecomputedFailsVerification() throws Exception {
        Path key = savePublicKey();
        String name = unique("cli-edit");
        admin().post("/api/v1/models", Map.of("name", name, "task", "other"));
        signer.signNow().orElseThrow();
        long seq = jdbc.queryForObject("select seq from audit_event where subject_id = ?", Long.class, name);
        long last = jdbc.queryForObject("select max(seq) from audit_event", Long.class);

        try (Connection superuser = Superuser.connect(getDatabase())) {
            List<AuditEvent> original = jdbc.query("select * from audit_event where seq between ? and ? order by seq",
                    AuditEvents.ROW_MAPPER, seq - 1, last);
            String previous = original.get(0).hash();
            for (AuditEvent e : original.subList(1, original.size())) {
                String actor = e.seq() == seq ? "mallory" : e.actor();
                String hash = new AuditEvent(e.seq(), e.id(), e.occurredAt(), actor, e.action(), e.subjectType(),
                        e.subjectId(), e.beforeDigest(), e.afterDigest(), e.details(), previous, null).computeHash();
                rewrite(superuser, e.seq(), actor, previous, hash);
                previous = hash;
            }
            try {
                Run run = auditVerify("--public-key", key.toString());
                assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(1);
                assertThat(run.out()).contains("FAILED", "altered");
            } finally {
                for (AuditEvent e : original.subList(1, original.size())) {
                    rewrite(superuser, e.seq(), e.actor(), e.prevHash(), e.hash());
                }
            }
        }
        assertThat(auditVerify("--public-key", key.toString()).exit()).isZero();
    }

    @Test
    void withoutAPublicKeyItIsAUsageError() {
        Run run = auditVerify();
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--public-key");
    }

    private Run auditVerify(String... options) {
        List<String> args = new ArrayList<>(List.of("audit-verify", "--registry", "http://localhost:" + port,
                "--token", ADMIN_TOKEN));
        args.addAll(List.of(options));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = QuantizerCli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The auditor's copy of the key, taken once (in practice out of band, e.g. at installation). */
    private Path savePublicKey() throws Exception {
        return Files.writeString(auditor.resolve("qreg-audit.pem"), admin().get("/api/v1/audit/public-key").body());
    }

    private Path saveNewestHead() throws Exception {
        String head = admin().get("/api/v1/audit/checkpoints?size=1").json().get("items").get(0).toString();
        return Files.writeString(auditor.resolve("head.json"), head);
    }

    private static void rewrite(Connection c, long seq, String actor, String prevHash, String hash) throws Exception {
        try (PreparedStatement update = c.prepareStatement(
                "update audit_event set actor = ?, prev_hash = ?, hash = ? where seq = ?")) {
            update.setString(1, actor);
            update.setString(2, prevHash);
            update.setString(3, hash);
            update.setLong(4, seq);
            update.executeUpdate();
        }
    }
}
