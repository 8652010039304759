package io.qreg.registry.rollout;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.qreg.registry.deployment.ServingAudit;
import io.qreg.registry.deployment.ServingIncident;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.core.type.TypeReference;

/**
 * Finds every backend serving without a valid approval in one query: each tier's stable backend (its
 * last COMPLETED rollout) and each active canary, whose approval LAPSED or was voided, or that has no
 * approval in an environment that needs one.
 */
@Component
class ServingIncidents implements ServingAudit {

    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    ServingIncidents(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    @Transactional(readOnly = true)
    public List<ServingIncident> servingWithoutValidApproval(UUID deploymentId) {
        List<Object> args = new ArrayList<>(List.of(TierServing.STABLE, TierServing.CANARY));
        String only = "";
        if (deploymentId != null) {
            only = " and d.id = ?";
            args.add(deploymentId);
        }
        return jdbc.query("""
                with serving as (
                    select s.* from (select distinct on (r.deployment_id, r.environment, r.tier) r.*, ? as role
                                       from rollout r where r.phase = 'COMPLETED'
                                      order by r.deployment_id, r.environment, r.tier, r.finished_at desc,
                                               r.created_at desc) s
                    union all
                    select r.*, ? as role from rollout r where r.phase in ('PROGRESSING', 'PAUSED'))
                select s.id, s.environment, s.tier, s.role, s.variant_id, s.checkpoint_id, s.precision, s.sha256,
                       s.approval_id, s.updated_at, d.name as deployment_name, a.status as approval_status,
                       a.status_reason, a.lapsed_checks, a.decided_at
                  from serving s
                  join deployment d on d.id = s.deployment_id
                  left join approval a on a.id = s.approval_id
                 where (a.status in ('LAPSED', 'VOID')
                        or (s.approval_id is null
                            and not jsonb_exists(d.environments_without_approval, s.environment)))"""
                + only + " order by d.name, s.environment, s.tier, s.role", ServingIncidents::map, args.toArray());
    }

    private static ServingIncident map(ResultSet rs, int row) throws SQLException {
        UUID variant = rs.getObject("variant_id", UUID.class);
        Backend backend = variant != null
                ? new Backend(Backend.VARIANT, variant, rs.getString("precision"), rs.getString("sha256"))
                : new Backend(Backend.CHECKPOINT, rs.getObject("checkpoint_id", UUID.class), rs.getString("precision"),
                        rs.getString("sha256"));
        String status = rs.getString("approval_status");
        String checks = rs.getString("lapsed_checks");
        Timestamp decided = rs.getTimestamp("decided_at");
        return new ServingIncident(rs.getString("deployment_name"), rs.getString("environment"),
                rs.getString("tier"), rs.getString("role"), backend.describe(), rs.getObject("id", UUID.class),
                rs.getObject("approval_id", UUID.class), status == null ? "NONE" : status,
                status == null ? "no approval: environment '" + rs.getString("environment") + "' needs one, and this"
                        + " backend was rolled out without it" : rs.getString("status_reason"),
                checks == null ? List.of() : CanonicalJson.mapper().readValue(checks, STRINGS),
                (decided != null ? decided : rs.getTimestamp("updated_at")).toInstant());
    }
}
