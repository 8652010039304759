package io.qreg.registry.rollout;

import static io.qreg.registry.support.SqlTimestamps.instant;
import static io.qreg.registry.support.SqlTimestamps.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.deployment.ServingIncident;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlTypeValue;
import org.springframework.jdbc.core.StatementCreatorUtils;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/** Loads and saves rollout aggregates and their health reports with plain SQL. */
@Repository
@RequiredArgsConstructor
class Rollouts {

    private static final String SELECT = "select r.*, d.name as deployment_name from rollout r"
            + " join deployment d on d.id = r.deployment_id";
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<List<Integer>> INTS = new TypeReference<>() {
    };
    private static final TypeReference<List<Map<String, Object>>> MAPS = new TypeReference<>() {
    };
    private static final TypeReference<List<ForcedAdvance>> FORCED = new TypeReference<>() {
    };

    private final JdbcTemplate jdbc;

    void insert(Rollout r) {
        Backend c = r.candidate();
        Backend p = r.previous();
        jdbc.update("""
                insert into rollout (id, deployment_id, environment, tier, variant_id, checkpoint_id, precision, sha256,
                                     previous_variant_id, previous_checkpoint_id, previous_precision, previous_sha256,
                                     approval_id, signed_by, evidence_digest, steps, step_index, phase, thresholds,
                                     analysis, interval_started_at, interval_ends_at, consecutive_passes,
                                     last_judgement, forced_advances, reason, created_at, created_by, updated_at,
                                     finished_at)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?::jsonb, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, ?,
                        ?::jsonb, ?, ?, ?, ?, ?)""",
                r.id(), r.deploymentId(), r.environment(), r.tier(), c.variantBacked() ? c.id() : null,
                c.variantBacked() ? null : c.id(), c.precision(), c.sha256(),
                p != null && p.variantBacked() ? p.id() : null, p != null && !p.variantBacked() ? p.id() : null,
                p == null ? null : p.precision(), p == null ? null : p.sha256(), r.approvalId(),
                CanonicalJson.write(r.signedBy()), r.evidenceDigest(), CanonicalJson.write(r.steps()), r.stepIndex(),
                r.phase().name(), CanonicalJson.write(r.thresholds()), CanonicalJson.write(r.analysis()),
                timestamp(r.intervalStartedAt()), timestamp(r.intervalEndsAt()), r.consecutivePasses(),
                r.lastJudgement(), CanonicalJson.write(r.forcedAdvances()), r.reason(), timestamp(r.createdAt()),
                r.createdBy(), timestamp(r.updatedAt()), timestamp(r.finishedAt()));
    }

    /** Writes every mutable field back; the caller holds the deployment's lock. */
    void update(Rollout r) {
        jdbc.update("""
                update rollout set signed_by = ?::jsonb, evidence_digest = ?, step_index = ?, phase = ?, reason = ?,
                                   updated_at = ?, finished_at = ?, interval_started_at = ?, interval_ends_at = ?,
                                   consecutive_passes = ?, last_judgement = ?, forced_advances = ?::jsonb
                 where id = ?""",
                CanonicalJson.write(r.signedBy()), r.evidenceDigest(), r.stepIndex(), r.phase().name(), r.reason(),
                timestamp(r.updatedAt()), timestamp(r.finishedAt()), timestamp(r.intervalStartedAt()),
                timestamp(r.intervalEndsAt()), r.consecutivePasses(), r.lastJudgement(),
                CanonicalJson.write(r.forcedAdvances()), r.id());
    }

    /**
     * Writes a judgement's counts and the next interval, only if the rollout is still where the
     * judge read it (moving, at that step, that interval): false when it moved on meanwhile.
     */
    boolean updateJudged(Rollout r, int readStep, Instant readIntervalEnd) {
        return jdbc.update(UPDATE_JUDGED, judgedArgs(r, readStep, readIntervalEnd)) == 1;
    }

    /** A rollout judged in memory, and the step and interval end it was read at. */
    record JudgedRollout(Rollout rollout, int readStep, Instant readIntervalEnd) {
    }

    /** {@link #updateJudged} for many rollouts in one batch: 1 where written, 0 where the rollout had moved on. */
    int[] updateJudged(List<JudgedRollout> judged) {
        if (judged.isEmpty()) {
            return new int[0];
        }
        return jdbc.batchUpdate(UPDATE_JUDGED, judged.stream()
                .map(j -> judgedArgs(j.rollout(), j.readStep(), j.readIntervalEnd())).toList());
    }

    private static final String UPDATE_JUDGED = """
            update rollout set consecutive_passes = ?, last_judgement = ?, interval_started_at = ?,
                               interval_ends_at = ?
             where id = ? and phase = 'PROGRESSING' and step_index = ? and interval_ends_at = ?""";

    private static Object[] judgedArgs(Rollout r, int readStep, Instant readIntervalEnd) {
        return new Object[] {r.consecutivePasses(), r.lastJudgement(), timestamp(r.intervalStartedAt()),
                timestamp(r.intervalEndsAt()), r.id(), readStep, timestamp(readIntervalEnd)};
    }

    Optional<Rollout> find(UUID id) {
        return jdbc.query(SELECT + " where r.id = ?", Rollouts::map, id).stream().findFirst();
    }

    Optional<UUID> deploymentOf(UUID rolloutId) {
        return jdbc.queryForList("select deployment_id from rollout where id = ?", UUID.class, rolloutId).stream()
                .findFirst();
    }

    Optional<Rollout> active(UUID deploymentId, String environment, String tier) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ? and r.tier = ?"
                + " and r.phase in ('PROGRESSING', 'PAUSED')", Rollouts::map, deploymentId, environment, tier)
                .stream().findFirst();
    }

    List<Rollout> activeIn(UUID deploymentId, String environment) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ?"
                + " and r.phase in ('PROGRESSING', 'PAUSED') order by r.updated_at desc, r.id", Rollouts::map,
                deploymentId, environment);
    }

    /** Every active rollout, the most recently moved first: what the dashboard watches. */
    List<Rollout> activeAll(int limit) {
        return jdbc.query(SELECT + " where r.phase in ('PROGRESSING', 'PAUSED') order by r.updated_at desc, r.id"
                + " limit ?", Rollouts::map, limit);
    }

    /** The environment's rollouts of any phase, newest first. */
    List<Rollout> recentIn(UUID deploymentId, String environment, int limit) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ?"
                + " order by r.created_at desc, r.id limit ?", Rollouts::map, deploymentId, environment, limit);
    }

    List<Rollout> ofVariant(UUID variantId, int limit) {
        return jdbc.query(SELECT + " where r.variant_id = ? order by r.created_at desc, r.id limit ?",
                Rollouts::map, variantId, limit);
    }

    /** The last completed rollout of each tier of the environment: what each tier serves as stable. */
    List<Rollout> lastCompletedIn(UUID deploymentId, String environment) {
        return jdbc.query("select distinct on (r.tier) r.*, d.name as deployment_name from rollout r"
                + " join deployment d on d.id = r.deployment_id"
                + " where r.deployment_id = ? and r.environment = ? and r.phase = 'COMPLETED'"
                + " order by r.tier, r.finished_at desc, r.created_at desc", Rollouts::map, deploymentId,
                environment);
    }

    /** The tier's last completed rollout, whose candidate is its stable backend. */
    Optional<Rollout> lastCompleted(UUID deploymentId, String environment, String tier) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ? and r.tier = ?"
                + " and r.phase = 'COMPLETED' order by r.finished_at desc, r.created_at desc limit 1",
                Rollouts::map, deploymentId, environment, tier).stream().findFirst();
    }

    /** The rollout that made the tier's stable backend what it was at {@code at}. */
    Optional<Rollout> lastCompletedAt(UUID deploymentId, String environment, String tier, Instant at) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ? and r.tier = ?"
                + " and r.phase = 'COMPLETED' and r.finished_at <= ? order by r.finished_at desc, r.created_at desc"
                + " limit 1", Rollouts::map, deploymentId, environment, tier, timestamp(at)).stream().findFirst();
    }

    /** The rollouts with these ids (those that exist), by id. */
    Map<UUID, Rollout> findAll(Collection<UUID> ids) {
        Map<UUID, Rollout> found = new HashMap<>();
        jdbc.query(SELECT + " where r.id = any(?)", (ResultSet rs) -> {
            Rollout r = map(rs, 0);
            found.put(r.id(), r);
        }, (Object) ids.toArray(UUID[]::new));
        return found;
    }

    /** A report to add for a rollout read at some step, with the thresholds it crosses. */
    record NewHealth(UUID id, Rollout rollout, HealthReport report, List<Thresholds.Breach> breaches) {
    }

    /** {@link #insertHealth} for many reports in one batch; 1 where stored, 0 where the rollout had moved. */
    int[] insertHealth(List<NewHealth> reports, Instant at, String by) {
        if (reports.isEmpty()) {
            return new int[0];
        }
        return jdbc.batchUpdate(INSERT_HEALTH, reports, reports.size(), (ps, h) -> {
            Object[] args = healthArgs(h.id(), h.rollout(), h.report(), h.breaches(), at, by);
            for (int i = 0; i < args.length; i++) {
                StatementCreatorUtils.setParameterValue(ps, i + 1, SqlTypeValue.TYPE_UNKNOWN, args[i]);
            }
        })[0];
    }

    /** Adds the report if the rollout is still active at the step {@code r} was read at; false if it moved. */
    boolean insertHealth(UUID id, Rollout r, HealthReport h, List<Thresholds.Breach> breaches, Instant at,
            String by) {
        return jdbc.update(INSERT_HEALTH, healthArgs(id, r, h, breaches, at, by)) == 1;
    }

    private static final String INSERT_HEALTH = """
            insert into rollout_health (id, rollout_id, step_index, error_rate, p99_latency_ms, quality_proxy,
                                        requests, breaches, reported_at, reported_by)
            select ?::uuid, r.id, r.step_index, ?::double precision, ?::double precision, ?::double precision,
                   ?::bigint, ?::jsonb, ?::timestamptz, ?
              from rollout r
             where r.id = ? and r.step_index = ? and r.phase in ('PROGRESSING', 'PAUSED')""";

    private static Object[] healthArgs(UUID id, Rollout r, HealthReport h, List<Thresholds.Breach> breaches,
            Instant at, String by) {
        return new Object[] {id, h.errorRate(), h.p99LatencyMs(), h.qualityProxy(), h.requests(),
                CanonicalJson.write(breaches.stream().map(Thresholds.Breach::toMap).toList()), timestamp(at), by,
                r.id(), r.stepIndex()};
    }

    List<RolloutView.HealthView> health(UUID rolloutId, int limit) {
        return jdbc.query("select * from rollout_health where rollout_id = ? order by reported_at desc, id limit ?",
                (rs, n) -> new RolloutView.HealthView(rs.getObject("id", UUID.class), rs.getInt("step_index"),
                        (Double) rs.getObject("error_rate"), (Double) rs.getObject("p99_latency_ms"),
                        (Double) rs.getObject("quality_proxy"), (Long) rs.getObject("requests"),
                        CanonicalJson.mapper().readValue(rs.getString("breaches"), MAPS),
                        rs.getTimestamp("reported_at").toInstant(), rs.getString("reported_by")), rolloutId, limit);
    }

    /** The status of the approval with this id, if it exists. */
    Optional<String> approvalStatus(UUID approvalId) {
        return jdbc.queryForList("select status from approval where id = ?", String.class, approvalId).stream()
                .findFirst();
    }

    /**
     * Every backend serving without a valid approval, in one query: each tier's stable backend (its last
     * COMPLETED rollout) and each active canary, whose approval LAPSED or was voided, or that has no approval
     * in an environment that needs one. Of one deployment, or of all when {@code deploymentId} is null.
     */
    List<ServingIncident> servingWithoutValidApproval(UUID deploymentId) {
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
                + only + " order by d.name, s.environment, s.tier, s.role", Rollouts::incident, args.toArray());
    }

    private static ServingIncident incident(ResultSet rs, int row) throws SQLException {
        Backend backend = candidate(rs);
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

    /** The backend a rollout row moves in: its variant, or else its checkpoint. */
    private static Backend candidate(ResultSet rs) throws SQLException {
        UUID variant = rs.getObject("variant_id", UUID.class);
        return variant != null
                ? new Backend(Backend.VARIANT, variant, rs.getString("precision"), rs.getString("sha256"))
                : new Backend(Backend.CHECKPOINT, rs.getObject("checkpoint_id", UUID.class), rs.getString("precision"),
                        rs.getString("sha256"));
    }

    static Rollout map(ResultSet rs, int row) throws SQLException {
        Backend candidate = candidate(rs);
        UUID previousVariant = rs.getObject("previous_variant_id", UUID.class);
        UUID previousCheckpoint = rs.getObject("previous_checkpoint_id", UUID.class);
        Backend previous = previousVariant != null
                ? new Backend(Backend.VARIANT, previousVariant, rs.getString("previous_precision"),
                        rs.getString("previous_sha256"))
                : previousCheckpoint != null ? new Backend(Backend.CHECKPOINT, previousCheckpoint,
                        rs.getString("previous_precision"), rs.getString("previous_sha256")) : null;
        return new Rollout(rs.getObject("id", UUID.class), rs.getObject("deployment_id", UUID.class),
                rs.getString("deployment_name"), rs.getString("environment"), rs.getString("tier"), candidate,
                previous, rs.getObject("approval_id", UUID.class),
                CanonicalJson.mapper().readValue(rs.getString("signed_by"), STRINGS), rs.getString("evidence_digest"),
                CanonicalJson.mapper().readValue(rs.getString("steps"), INTS), rs.getInt("step_index"),
                RolloutPhase.valueOf(rs.getString("phase")),
                CanonicalJson.mapper().readValue(rs.getString("analysis"), Analysis.class),
                instant(rs, "interval_started_at"), instant(rs, "interval_ends_at"), rs.getInt("consecutive_passes"),
                rs.getString("last_judgement"), CanonicalJson.mapper().readValue(rs.getString("forced_advances"), FORCED),
                rs.getString("reason"),
                instant(rs, "created_at"), rs.getString("created_by"), instant(rs, "updated_at"),
                instant(rs, "finished_at"));
    }
}
