package io.qreg.registry.job;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.model.ModelService;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Named hardware profiles jobs can ask for: a worker satisfies a target when the target's
 * {@code requiredFlags} are among its CPU flags and the target's {@code labels} among its labels.
 */
@Service
public class HardwareTargetService {

    public static final String ANY = "any";
    private static final Pattern FLAG = Pattern.compile("[a-z0-9_.-]{1,64}");

    private final JdbcTemplate jdbc;
    private final AuditLog audit;

    HardwareTargetService(JdbcTemplate jdbc, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
    }

    public record HardwareTarget(String name, List<String> requiredFlags, Map<String, String> labels,
            Instant createdAt, String createdBy) {
    }

    public record NewTarget(String name, List<String> requiredFlags, Map<String, String> labels) {
    }

    @Transactional
    public HardwareTarget create(NewTarget request) {
        if (request.name() == null || !ModelService.NAME.matcher(request.name()).matches()) {
            throw ApiException.invalid("name", "name must be 1-63 characters of lowercase letters, digits and '-',"
                    + " e.g. 'avx512-vnni'; got '" + request.name() + "'");
        }
        List<String> flags = request.requiredFlags() == null ? List.of()
                : List.copyOf(new TreeSet<>(request.requiredFlags()));
        for (String flag : flags) {
            if (flag == null || !FLAG.matcher(flag).matches()) {
                throw ApiException.invalid("requiredFlags", "flags are CPU feature names as /proc/cpuinfo writes"
                        + " them (lowercase, e.g. 'avx512_vnni'); got '" + flag + "'");
            }
        }
        Map<String, String> labels = request.labels() == null ? Map.of() : new TreeMap<>(request.labels());
        labels.forEach((k, v) -> {
            if (k == null || k.isBlank() || k.length() > 63 || v == null || v.length() > 200) {
                throw ApiException.invalid("labels", "labels are non-empty keys (max 63) with string values (max 200)");
            }
        });
        if (exists(request.name())) {
            throw ApiException.conflict("hardware target '" + request.name() + "' already exists");
        }
        Instant now = Timestamps.now();
        jdbc.update("""
                insert into hardware_target (name, required_flags, labels, created_at, created_by)
                values (?, ?::text[], ?::jsonb, ?, ?)""", request.name(), flags.toArray(String[]::new),
                CanonicalJson.write(labels), Timestamp.from(now), CurrentUser.username());
        HardwareTarget target = new HardwareTarget(request.name(), flags, labels, now, CurrentUser.username());
        audit.record("hardware-target.created", "hardware-target", target.name(), null, target, Map.of());
        return target;
    }

    @Transactional(readOnly = true)
    public boolean exists(String name) {
        Integer n = jdbc.queryForObject("select count(*) from hardware_target where name = ?", Integer.class, name);
        return n != null && n > 0;
    }

    @Transactional(readOnly = true)
    public Page<HardwareTarget> list(Pageable pageable) {
        Long total = jdbc.queryForObject("select count(*) from hardware_target", Long.class);
        List<HardwareTarget> items = jdbc.query("select * from hardware_target order by name limit ? offset ?",
                HardwareTargetService::map, pageable.getPageSize(), pageable.getOffset());
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
