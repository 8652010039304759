package io.qreg.registry.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.qreg.registry.job.HardwareTargetService.HardwareTarget;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/**
 * Loads and saves hardware targets with plain SQL: their {@code required_flags} (text[]) and
 * {@code labels} (jsonb) are what claims and {@link Workers#engineVersionsFor} match workers against
 * with the array and jsonb containment operators.
 */
@Repository
@RequiredArgsConstructor
class HardwareTargets {

    private final JdbcTemplate jdbc;

    void insert(String name, List<String> flags, Map<String, String> labels, Instant now) {
        jdbc.update("""
                insert into hardware_target (name, required_flags, labels, created_at, created_by)
                values (?, ?::text[], ?::jsonb, ?, ?)""", name, flags.toArray(String[]::new),
                CanonicalJson.write(labels), Timestamp.from(now), CurrentUser.username());
    }

    boolean exists(String name) {
        Integer n = jdbc.queryForObject("select count(*) from hardware_target where name = ?", Integer.class, name);
        return n != null && n > 0;
    }

    Page<HardwareTarget> page(Pageable pageable) {
        Long total = jdbc.queryForObject("select count(*) from hardware_target", Long.class);
        List<HardwareTarget> items = jdbc.query("select * from hardware_target order by name limit ? offset ?",
                HardwareTargets::map, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    @SuppressWarnings("unchecked")
    private static HardwareTarget map(ResultSet rs, int row) throws SQLException {
        return new HardwareTarget(rs.getString("name"),
                Arrays.asList((String[]) rs.getArray("required_flags").getArray()),
                CanonicalJson.mapper().readValue(rs.getString("labels"), Map.class),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"));
    }
}
