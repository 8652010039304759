package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * The probe of issue 11 as a test: the database superuser deletes the newest events, or edits one and
 * recomputes every hash of the chain with the registry's own formula. Verify must report both, naming
 * the first event that disagrees with the signed tree heads anchored outside the database.
 */
class AuditTamperIT extends IntegrationTest {

    @Autowired
    TreeHeadSigner signer;

    @Test
    void deletingTheNewestEventsAsSuperuserFailsVerifyNamingTheFirstMissingEvent() throws Exception {
        admin().post("/api/v1/models", Map.of("name", unique("doomed"), "task", "other"));
        admin().post("/api/v1/models", Map.of("name", unique("doomed"), "task", "other"));
        long last = signedUpToNow();

        try (Connection superuser = Superuser.connect(getDatabase())) {
            List<AuditEvent> removed = read(superuser, last - 1, last);
            update(superuser, "delete from audit_event where seq >= ?", last - 1);
            try {
                JsonNode verify = admin().get("/api/v1/audit/verify").json();
                assertThat(verify.get("valid").asBoolean()).isFalse();
                assertThat(verify.get("firstBrokenLink").get("seq").asLong()).isEqualTo(last - 1);
                assertThat(verify.get("firstBrokenLink").get("reason").asString()).contains("missing");
            } finally {
                removed.forEach(event -> insert(superuser, event));
            }
        }
        assertThat(admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void editingAnEventAndRecomputingEveryHashAsSuperuserFailsVerifyNamingThatEvent() throws Exception {
        String name = unique("rewritten");
        admin().post("/api/v1/models", Map.of("name", name, "task", "other"));
        admin().post("/api/v1/models", Map.of("name", unique("after"), "task", "other"));
        long last = signedUpToNow();
        long edited = jdbc.queryForObject("select seq from audit_event where subject_id = ?", Long.class, name);

        try (Connection superuser = Superuser.connect(getDatabase())) {
            List<AuditEvent> original = read(superuser, edited - 1, last);
            List<AuditEvent> forged = recomputeChain(original, edited);
            forged.forEach(event -> rewrite(superuser, event));
            try {
                // The forgery is perfect by the chain's own rule: every link recomputes.
                for (AuditEvent event : read(superuser, edited, last)) {
                    assertThat(event.hash()).isEqualTo(event.computeHash());
                }
                JsonNode verify = admin().get("/api/v1/audit/verify").json();
                assertThat(verify.get("valid").asBoolean()).isFalse();
                assertThat(verify.get("firstBrokenLink").get("seq").asLong()).isEqualTo(edited);
                assertThat(verify.get("firstBrokenLink").get("reason").asString()).contains("altered");
            } finally {
                original.subList(1, original.size()).forEach(event -> rewrite(superuser, event));
            }
        }
        assertThat(admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
    }

    /** Signs a head over every event so far and returns its size (the newest event's seq). */
    private long signedUpToNow() {
        long last = jdbc.queryForObject("select max(seq) from audit_event", Long.class);
        long signed = signer.signNow().orElseThrow().treeSize();
        assertThat(signed).isGreaterThanOrEqualTo(last);
        return signed;
    }

    /** The events from {@code first} on, the first one's actor changed, every later hash recomputed. */
    private static List<AuditEvent> recomputeChain(List<AuditEvent> fromPredecessor, long edited) {
        List<AuditEvent> forged = new ArrayList<>();
        String previous = fromPredecessor.get(0).hash();
        for (AuditEvent e : fromPredecessor.subList(1, fromPredecessor.size())) {
            String actor = e.seq() == edited ? "mallory" : e.actor();
            AuditEvent unhashed = new AuditEvent(e.seq(), e.id(), e.occurredAt(), actor, e.action(), e.subjectType(),
                    e.subjectId(), e.beforeDigest(), e.afterDigest(), e.details(), previous, null);
            AuditEvent rehashed = new AuditEvent(e.seq(), e.id(), e.occurredAt(), actor, e.action(), e.subjectType(),
                    e.subjectId(), e.beforeDigest(), e.afterDigest(), e.details(), previous, unhashed.computeHash());
            forged.add(rehashed);
            previous = rehashed.hash();
        }
        return forged;
    }

    private static List<AuditEvent> read(Connection c, long from, long to) throws Exception {
        try (PreparedStatement select = c.prepareStatement(
                "select * from audit_event where seq between ? and ? order by seq")) {
            select.setLong(1, from);
            select.setLong(2, to);
            List<AuditEvent> events = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    events.add(AuditEvents.ROW_MAPPER.mapRow(rs, 0));
                }
            }
            return events;
        }
    }

    private static void update(Connection c, String sql, Object... args) throws Exception {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.executeUpdate();
        }
    }

    private static void rewrite(Connection c, AuditEvent e) {
        try {
            update(c, "update audit_event set actor = ?, prev_hash = ?, hash = ? where seq = ?", e.actor(),
                    e.prevHash(), e.hash(), e.seq());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static void insert(Connection c, AuditEvent e) {
        try {
            update(c, """
                    insert into audit_event (seq, id, occurred_at, actor, action, subject_type, subject_id,
                      before_digest, after_digest, details, prev_hash, hash) values (?,?,?,?,?,?,?,?,?,?,?,?)""",
                    e.seq(), e.id(), Timestamp.from(e.occurredAt()), e.actor(), e.action(), e.subjectType(),
                    e.subjectId(), e.beforeDigest(), e.afterDigest(), e.details(), e.prevHash(), e.hash());
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }
}
