package io.qreg.registry.model;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.qreg.registry.archive.Archival;
import io.qreg.registry.tag.TagFilter;
import io.qreg.registry.tag.TagSubject;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.data.domain.Sort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * {@code GET /api/v1/models} and the portal's model lists: by name, filtered by task, risk tier, owner, a
 * name/description search, a tag, and whether archived ones are wanted (by default they are left out).
 */
@Component
@RequiredArgsConstructor
class ModelSearch {

    /** What a search asks for; null fields do not filter. */
    record Criteria(String task, String riskTier, String owner, String q, TagFilter tag, boolean archived) {
    }

    private final JdbcTemplate jdbc;

    @Transactional(readOnly = true)
    Page<ModelView> search(Criteria c, Pageable pageable) {
        StringBuilder where = new StringBuilder(" where (m.archived_at is not null) = ?");
        List<Object> args = new ArrayList<>(List.of(c.archived()));
        equal(where, args, "m.task", c.task());
        equal(where, args, "m.risk_tier", c.riskTier());
        equal(where, args, "m.owner", c.owner());
        if (c.q() != null && !c.q().isBlank()) {
            String pattern = "%" + c.q().trim().toLowerCase(Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                    .replace("_", "\\_") + "%";
            where.append(" and (lower(m.name) like ? or lower(coalesce(m.description, '')) like ?)");
            args.add(pattern);
            args.add(pattern);
        }
        if (c.tag() != null) {
            where.append(" and ").append(c.tag().sqlCondition(TagSubject.MODEL, "m.id"));
            args.addAll(List.of(c.tag().arguments()));
        }
        Long total = jdbc.queryForObject("select count(*) from model m" + where, Long.class, args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<ModelView> items = jdbc.query("select m.* from model m" + where + " order by " + orderBy(pageable)
                + " limit ? offset ?", ModelSearch::view, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    /** The API lists by name; the dashboard asks for the newest first. Other sort keys are not offered. */
    private static String orderBy(Pageable pageable) {
        Sort.Order created = pageable.getSort().getOrderFor("createdAt");
        if (created != null) {
            return "m.created_at " + (created.isDescending() ? "desc" : "asc") + ", m.name";
        }
        return "m.name";
    }

    private static void equal(StringBuilder where, List<Object> args, String column, String value) {
        if (value != null && !value.isBlank()) {
            where.append(" and ").append(column).append(" = ?");
            args.add(value);
        }
    }

    private static ModelView view(ResultSet rs, int n) throws SQLException {
        return new ModelView(rs.getObject("id", UUID.class), rs.getString("name"), rs.getString("task"),
                rs.getString("description"), rs.getString("owner"), rs.getString("risk_tier"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"), Archival.of(rs));
    }
}
