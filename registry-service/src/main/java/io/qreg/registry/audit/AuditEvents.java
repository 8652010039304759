package io.qreg.registry.audit;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import io.qreg.registry.support.AdvisoryLocks;
import io.qreg.registry.support.SqlTimestamps;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The audit chain's events ({@code audit_event}, append-only: the database refuses UPDATE and DELETE).
 * Every statement runs inside its caller's transaction; the services decide the order of the lock, the
 * reads and the insert, and compute every hash.
 */
@Repository
public class AuditEvents {

    static final RowMapper<AuditEvent> ROW_MAPPER = AuditEvents::map;

    private static final long CHAIN_LOCK = 0x5152_4547_4155_4449L; // "QREGAUDI"

    private final JdbcTemplate jdbc;
    /** Reads that walk the log in order: a cursor (inside a transaction) keeps memory flat. */
    private final JdbcTemplate streaming;
    /** Verification's segments are 65,536 events, so each round trip fetches more of them. */
    private final JdbcTemplate segmentStreaming;
    private final AdvisoryLocks locks;

    AuditEvents(JdbcTemplate jdbc, AdvisoryLocks locks) {
        this.jdbc = jdbc;
        this.locks = locks;
        this.streaming = new JdbcTemplate(jdbc.getDataSource());
        this.streaming.setFetchSize(1000);
        this.segmentStreaming = new JdbcTemplate(jdbc.getDataSource());
        this.segmentStreaming.setFetchSize(2000);
    }

    /**
     * Takes the chain's advisory lock, held to the end of the caller's transaction: appends serialise on
     * it, so the newest event read after it is still the newest when the next one is inserted.
     */
    void lockChain() {
        locks.lock(CHAIN_LOCK);
    }

    /** The event with the highest seq, if any. */
    Optional<AuditEvent> newest() {
        List<AuditEvent> last = jdbc.query("select * from audit_event order by seq desc limit 1", ROW_MAPPER);
        return last.stream().findFirst();
    }

    void insert(AuditEvent event) {
        jdbc.update("""
                insert into audit_event (seq, id, occurred_at, actor, action, subject_type, subject_id,
                                         before_digest, after_digest, details, prev_hash, hash)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                event.seq(), event.id(), Timestamp.from(event.occurredAt()), event.actor(), event.action(),
                event.subjectType(), event.subjectId(), event.beforeDigest(), event.afterDigest(), event.details(),
                event.prevHash(), event.hash());
    }

    /** The highest seq stored, null when the log is empty. */
    Long lastSeq() {
        return jdbc.queryForObject("select max(seq) from audit_event", Long.class);
    }

    /** The lowest seq above {@code seq}, null when there is none. */
    Long firstSeqAbove(long seq) {
        return jdbc.queryForObject("select min(seq) from audit_event where seq > ?", Long.class, seq);
    }

    /** The id of event {@code seq}, null when it is not stored. */
    UUID idOf(long seq) {
        return jdbc.query("select id from audit_event where seq = ?", (rs, row) -> rs.getObject(1, UUID.class), seq)
                .stream().findFirst().orElse(null);
    }

    /** Up to {@code limit} events after {@code seq}, in order (gaps included: the caller decides what they mean). */
    List<AuditEvent> after(long seq, int limit) {
        return streaming.query("select * from audit_event where seq > ? order by seq limit ?", ROW_MAPPER, seq, limit);
    }

    /** Hands each event with seq up to {@code seq} to {@code each}, in order, without holding them all. */
    void forEachUpTo(long seq, Consumer<AuditEvent> each) {
        streaming.query("select * from audit_event where seq <= ? order by seq",
                (ResultSet rs) -> each.accept(ROW_MAPPER.mapRow(rs, 0)), seq);
    }

    /** Hands each event with seq {@code from}..{@code to} to {@code each}, in order, without holding them all. */
    void forEachBetween(long from, long to, Consumer<AuditEvent> each) {
        segmentStreaming.query("select * from audit_event where seq between ? and ? order by seq",
                (ResultSet rs) -> each.accept(ROW_MAPPER.mapRow(rs, 0)), from, to);
    }

    /** The events {@code filter} selects: newest first, or oldest first after {@code filter.afterSeq()}. */
    Page<AuditEvent> page(AuditQuery.Filter filter, Pageable pageable) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> args = new ArrayList<>();
        add(where, args, "actor = ?", filter.actor());
        add(where, args, "action = ?", filter.action());
        add(where, args, "subject_type = ?", filter.subjectType());
        add(where, args, "subject_id = ?", filter.subjectId());
        add(where, args, "occurred_at >= ?", SqlTimestamps.timestamp(filter.from()));
        add(where, args, "occurred_at < ?", SqlTimestamps.timestamp(filter.to()));
        add(where, args, "seq > ?", filter.afterSeq());
        String order = filter.afterSeq() == null ? " order by seq desc" : " order by seq";
        Long total = jdbc.queryForObject("select count(*) from audit_event" + where, Long.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(pageable.getPageSize());
        pageArgs.add(pageable.getOffset());
        List<AuditEvent> events = jdbc.query("select * from audit_event" + where + order + " limit ? offset ?",
                ROW_MAPPER, pageArgs.toArray());
        return new PageImpl<>(events, pageable, total == null ? 0 : total);
    }

    private static void add(StringBuilder where, List<Object> args, String clause, Object value) {
        if (value != null && !(value instanceof String s && s.isBlank())) {
            where.append(" and ").append(clause);
            args.add(value);
        }
    }

    private static AuditEvent map(ResultSet rs, int row) throws SQLException {
        return new AuditEvent(rs.getLong("seq"), rs.getObject("id", UUID.class),
                rs.getTimestamp("occurred_at").toInstant(), rs.getString("actor"), rs.getString("action"),
                rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("before_digest"),
                rs.getString("after_digest"), rs.getString("details"), rs.getString("prev_hash"),
                rs.getString("hash"));
    }
}
