package io.qreg.registry.audit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Reads the audit trail newest first (or, after a given event, oldest first), filtered by who, what and when. */
@Service
public class AuditQuery {

    private final JdbcTemplate jdbc;

    public AuditQuery(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** {@code afterSeq} set: only events after it, oldest first (the order an auditor replays the log in). */
    public record Filter(String actor, String action, String subjectType, String subjectId, Instant from,
            Instant to, Long afterSeq) {
    }

    @Transactional(readOnly = true)
    public Page<AuditEvent> find(Filter filter, Pageable pageable) {
        StringBuilder where = new StringBuilder(" where true");
        List<Object> args = new ArrayList<>();
        add(where, args, "actor = ?", filter.actor());
        add(where, args, "action = ?", filter.action());
        add(where, args, "subject_type = ?", filter.subjectType());
        add(where, args, "subject_id = ?", filter.subjectId());
        add(where, args, "occurred_at >= ?", filter.from() == null ? null : java.sql.Timestamp.from(filter.from()));
        add(where, args, "occurred_at < ?", filter.to() == null ? null : java.sql.Timestamp.from(filter.to()));
        add(where, args, "seq > ?", filter.afterSeq());
        String order = filter.afterSeq() == null ? " order by seq desc" : " order by seq";
        Long total = jdbc.queryForObject("select count(*) from audit_event" + where, Long.class, args.toArray());
        List<Object> pageArgs = new ArrayList<>(args);
        pageArgs.add(pageable.getPageSize());
        pageArgs.add(pageable.getOffset());
        List<AuditEvent> events = jdbc.query("select * from audit_event" + where + order + " limit ? offset ?",
                AuditEvents.ROW_MAPPER, pageArgs.toArray());
        return new PageImpl<>(events, pageable, total == null ? 0 : total);
    }

    private static void add(StringBuilder where, List<Object> args, String clause, Object value) {
        if (value != null && !(value instanceof String s && s.isBlank())) {
            where.append(" and ").append(clause);
            args.add(value);
        }
    }
}
