package io.qreg.registry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

class AuditChainIT extends IntegrationTest {

    @Test
    void everyChangeAppendsAnEventNamingActorActionAndSubject() {
        String name = unique("audited");
        admin().post("/api/v1/models", Map.of("name", name, "task", "embedding"));

        var events = admin().get("/api/v1/audit?subjectType=model&subjectId=" + name).json();
        assertThat(events.get("items")).hasSize(1);
        var event = events.get("items").get(0);
        assertThat(event.get("actor").asString()).isEqualTo("admin");
        assertThat(event.get("action").asString()).isEqualTo("model.created");
        assertThat(event.get("afterDigest").asString()).hasSize(64);
        assertThat(event.get("hash").asString()).hasSize(64);
    }

    @Test
    void intactChainVerifies() {
        admin().post("/api/v1/models", Map.of("name", unique("chain"), "task", "other"));
        var verify = admin().get("/api/v1/audit/verify").json();
        assertThat(verify.get("valid").asBoolean()).isTrue();
        assertThat(verify.get("eventsChecked").asLong()).isPositive();
    }

    @Test
    void theApplicationsConnectionCannotUpdateOrDeleteAuditRows() {
        admin().post("/api/v1/models", Map.of("name", unique("guarded"), "task", "other"));
        // The registry's own role lacks the privilege; the triggers stop even the superuser who leaves them on.
        for (JdbcTemplate who : java.util.List.of(jdbc, superuser())) {
            String refusal = who == jdbc ? "permission denied" : "append-only";
            assertThatThrownBy(() -> who.update("update audit_event set actor = 'mallory'"))
                    .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining(refusal);
            assertThatThrownBy(() -> who.update("delete from audit_event"))
                    .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining(refusal);
            assertThatThrownBy(() -> who.execute("truncate audit_event"))
                    .isInstanceOf(DataAccessException.class).rootCause().hasMessageContaining(refusal);
        }
    }

    @Test
    void rowAlteredBehindTheTriggersBackIsCaughtAtItsLink() {
        String name = unique("tampered");
        admin().post("/api/v1/models", Map.of("name", name, "task", "other"));
        admin().post("/api/v1/models", Map.of("name", unique("after"), "task", "other"));
        long seq = jdbc.queryForObject("select seq from audit_event where subject_id = ?", Long.class, name);
        String actor = jdbc.queryForObject("select actor from audit_event where seq = ?", String.class, seq);

        // A superuser can switch triggers off; the chain must still tell.
        tamper("update audit_event set actor = 'mallory' where seq = " + seq);
        try {
            var verify = admin().get("/api/v1/audit/verify").json();
            assertThat(verify.get("valid").asBoolean()).isFalse();
            assertThat(verify.get("firstBrokenLink").get("seq").asLong()).isEqualTo(seq);
            assertThat(verify.get("firstBrokenLink").get("reason").asString()).contains("altered");
        } finally {
            tamper("update audit_event set actor = '" + actor + "' where seq = " + seq);
        }
        assertThat(admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void deletedRowIsCaughtAsAGap() {
        admin().post("/api/v1/models", Map.of("name", unique("gap"), "task", "other"));
        admin().post("/api/v1/models", Map.of("name", unique("gap"), "task", "other"));
        long last = jdbc.queryForObject("select max(seq) from audit_event", Long.class);
        var row = jdbc.queryForMap("select * from audit_event where seq = ?", last - 1);

        tamper("delete from audit_event where seq = " + (last - 1));
        try {
            var verify = admin().get("/api/v1/audit/verify").json();
            assertThat(verify.get("valid").asBoolean()).isFalse();
            assertThat(verify.get("firstBrokenLink").get("seq").asLong()).isEqualTo(last);
            assertThat(verify.get("firstBrokenLink").get("reason").asString()).contains("sequence gap");
        } finally {
            superuser().execute((java.sql.Connection c) -> {
                try (var st = c.createStatement()) {
                    st.execute("set session_replication_role = replica");
                }
                try (var insert = c.prepareStatement("""
                        insert into audit_event (seq, id, occurred_at, actor, action, subject_type, subject_id,
                          before_digest, after_digest, details, prev_hash, hash) values (?,?,?,?,?,?,?,?,?,?,?,?)""")) {
                    int i = 1;
                    for (String column : new String[] {"seq", "id", "occurred_at", "actor", "action", "subject_type",
                            "subject_id", "before_digest", "after_digest", "details", "prev_hash", "hash"}) {
                        insert.setObject(i++, row.get(column));
                    }
                    insert.executeUpdate();
                } finally {
                    try (var st = c.createStatement()) {
                        st.execute("set session_replication_role = origin");
                    }
                }
                return null;
            });
        }
        assertThat(admin().get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
    }

    /** As the database's superuser (the registry's own role may not): triggers off, then the edit. */
    private void tamper(String sql) {
        superuser().execute((java.sql.Connection c) -> {
            try (var st = c.createStatement()) {
                st.execute("set session_replication_role = replica");
                st.executeUpdate(sql);
                st.execute("set session_replication_role = origin");
            }
            return null;
        });
    }
}
