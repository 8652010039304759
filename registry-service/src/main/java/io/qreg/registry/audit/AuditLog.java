package io.qreg.registry.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Appends events to the hash chain in the same transaction as the change they describe, so a
 * change and its record commit or vanish together.
 *
 * <p>Appends serialise on one advisory lock held to the end of the transaction: the chain is a
 * single sequence, and the next link needs the committed hash of the previous one. Appending is one
 * INSERT and signs nothing: {@link TreeHeadSigner} signs tree heads over the events in the background,
 * and {@link AuditVerifier} checks the log against them.
 */
@Service
public class AuditLog {

    private static final long CHAIN_LOCK = 0x5152_4547_4155_4449L; // "QREGAUDI"
    static final RowMapper<AuditEvent> ROW_MAPPER = AuditLog::map;

    private final JdbcTemplate jdbc;

    public AuditLog(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Records that the current user did {@code action} to a subject. Before and after are the
     * subject's states (any JSON-serialisable value, null when absent); only their digests are
     * chained, so the log proves what changed without copying the content.
     */
    @Transactional(propagation = Propagation.REQUIRED)
    public AuditEvent record(String action, String subjectType, String subjectId, Object before, Object after,
            Map<String, ?> details) {
        return recordAs(currentActor(), action, subjectType, subjectId, before, after, details);
    }

    @Transactional(propagation = Propagation.REQUIRED)
    public AuditEvent recordAs(String actor, String action, String subjectType, String subjectId, Object before,
            Object after, Map<String, ?> details) {
        jdbc.queryForObject("select pg_advisory_xact_lock(?)::text", String.class, CHAIN_LOCK);
        List<AuditEvent> last = jdbc.query("select * from audit_event order by seq desc limit 1", ROW_MAPPER);
        long seq = last.isEmpty() ? 1 : last.get(0).seq() + 1;
        String prevHash = last.isEmpty() ? AuditEvent.GENESIS : last.get(0).hash();
        AuditEvent unsigned = new AuditEvent(seq, UUID.randomUUID(), Timestamps.now(),
                actor, action, subjectType, subjectId, digestOf(before), digestOf(after),
                CanonicalJson.write(details == null ? Map.of() : details), prevHash, null);
        AuditEvent event = new AuditEvent(unsigned.seq(), unsigned.id(), unsigned.occurredAt(), unsigned.actor(),
                unsigned.action(), unsigned.subjectType(), unsigned.subjectId(), unsigned.beforeDigest(),
                unsigned.afterDigest(), unsigned.details(), unsigned.prevHash(), unsigned.computeHash());
        jdbc.update("""
                insert into audit_event (seq, id, occurred_at, actor, action, subject_type, subject_id,
                                         before_digest, after_digest, details, prev_hash, hash)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                event.seq(), event.id(), Timestamp.from(event.occurredAt()), event.actor(), event.action(),
                event.subjectType(), event.subjectId(), event.beforeDigest(), event.afterDigest(), event.details(),
                event.prevHash(), event.hash());
        return event;
    }

    static String digestOf(Object state) {
        return state == null ? null : CanonicalJson.sha256(state);
    }

    static String currentActor() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth == null || !auth.isAuthenticated() ? "system" : auth.getName();
    }

    private static AuditEvent map(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(rs.getLong("seq"), rs.getObject("id", UUID.class),
                rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
                rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("before_digest"),
                rs.getString("after_digest"), rs.getString("details"), rs.getString("prev_hash"),
                rs.getString("hash"));
    }
}
