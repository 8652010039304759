package io.qreg.registry.rollout;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.deployment.CanaryMetric;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import tools.jackson.core.type.TypeReference;

import lombok.RequiredArgsConstructor;

/** The judged analysis intervals, and the judge's one batched read of what is due. */
@Repository
@RequiredArgsConstructor
class Analyses {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<List<CanaryMetric>> METRICS = new TypeReference<>() {
    };

    /**
     * A moving rollout whose interval has ended, as the judge's batch query read it (checked again
     * under the lock), with its deployment's metrics and the interval's health reports combined.
     */
    record Due(Rollout rollout, List<CanaryMetric> metrics, IntervalJudgement.Health health) {

        UUID rolloutId() {
            return rollout.id();
        }

        Rollout copyOfRollout() {
            return rollout.copy();
        }

        Instant intervalEndsAt() {
            return rollout.intervalEndsAt();
        }

        String canaryCluster() {
            return rollout.candidate().cluster();
        }

        String stableCluster() {
            return rollout.previous() == null ? null : rollout.previous().cluster();
        }
    }

    private final JdbcTemplate jdbc;

    /**
     * Up to {@code limit} rollouts whose interval ended by {@code now}, the longest overdue first:
     * one query, the interval's reports aggregated in the database (request-weighted error rate and
     * quality proxy, the highest p99; a report without {@code requests} counts as one request).
     */
    List<Due> due(Instant now, int limit) {
        return jdbc.query("""
                select r.*, d.name as deployment_name, d.metrics,
                       h.reports, h.requests as h_requests, h.error_rate as h_error_rate, h.p99 as h_p99,
                       h.quality as h_quality
                  from rollout r
                  join deployment d on d.id = r.deployment_id
                  cross join lateral (
                      select count(*) as reports, coalesce(sum(coalesce(x.requests, 1)), 0) as requests,
                             sum(x.error_rate * coalesce(x.requests, 1))
                               / nullif(sum(coalesce(x.requests, 1)) filter (where x.error_rate is not null), 0)
                               as error_rate,
                             max(x.p99_latency_ms) as p99,
                             sum(x.quality_proxy * coalesce(x.requests, 1))
                               / nullif(sum(coalesce(x.requests, 1)) filter (where x.quality_proxy is not null), 0)
                               as quality
                        from rollout_health x
                       where x.rollout_id = r.id and x.step_index = r.step_index
                         and x.reported_at >= r.interval_started_at and x.reported_at < r.interval_ends_at) h
                 where r.phase = 'PROGRESSING' and r.interval_ends_at <= ?
                 order by r.interval_ends_at, r.id
                 limit ?""", Analyses::due, Timestamp.from(now), limit);
    }

    /**
     * Takes the deployment's row lock (the one every rollout move takes) unless another transaction
     * holds it: a busy deployment is judged at the next tick instead of stalling the judge.
     */
    boolean tryLock(UUID deploymentId) {
        return !jdbc.queryForList("select id from deployment where id = ? for update skip locked", UUID.class,
                deploymentId).isEmpty();
    }

    /** {@link #tryLock} for many deployments at once: the ones whose lock was free, now held. */
    Set<UUID> tryLockAll(Collection<UUID> deploymentIds) {
        return new HashSet<>(jdbc.queryForList("select id from deployment where id = any(?) order by id"
                + " for update skip locked", UUID.class, (Object) deploymentIds.toArray(UUID[]::new)));
    }

    /** One judged interval, as {@link #insert} stores it. */
    record Judged(UUID id, UUID rolloutId, int stepIndex, Instant start, Instant end, IntervalJudgement judgement,
            int passesAfter, Instant judgedAt) {

        Object[] args() {
            return new Object[] {id, rolloutId, stepIndex, Timestamp.from(start), Timestamp.from(end),
                    judgement.outcome().name(), CanonicalJson.write(judgement.data()),
                    CanonicalJson.write(judgement.reasons()), passesAfter, Timestamp.from(judgedAt)};
        }
    }

    private static final String INSERT = """
            insert into analysis_interval (id, rollout_id, step_index, started_at, ended_at, outcome, data,
                                           reasons, consecutive_passes, judged_at)
            values (?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?)""";

    void insert(Judged judged) {
        jdbc.update(INSERT, judged.args());
    }

    void insertAll(List<Judged> judged) {
        if (!judged.isEmpty()) {
            jdbc.batchUpdate(INSERT, judged.stream().map(Judged::args).toList());
        }
    }

    /** The step's judged intervals, newest first. */
    List<AnalysisView.Interval> intervals(UUID rolloutId, int stepIndex, int limit) {
        return jdbc.query("select * from analysis_interval where rollout_id = ? and step_index = ?"
                + " order by started_at desc limit ?", (rs, n) -> new AnalysisView.Interval(
                        rs.getObject("id", UUID.class), rs.getInt("step_index"), rs.getTimestamp("started_at").toInstant(),
                        rs.getTimestamp("ended_at").toInstant(), IntervalOutcome.valueOf(rs.getString("outcome")),
                        CanonicalJson.mapper().readValue(rs.getString("data"), MAP),
                        CanonicalJson.mapper().readValue(rs.getString("reasons"), STRINGS),
                        rs.getInt("consecutive_passes"), rs.getTimestamp("judged_at").toInstant()),
                rolloutId, stepIndex, limit);
    }

    private static Due due(ResultSet rs, int row) throws SQLException {
        return new Due(Rollouts.map(rs, row), CanonicalJson.mapper().readValue(rs.getString("metrics"), METRICS),
                new IntervalJudgement.Health(rs.getLong("reports"), rs.getLong("h_requests"),
                        (Double) rs.getObject("h_error_rate"), (Double) rs.getObject("h_p99"),
                        (Double) rs.getObject("h_quality")));
    }
}
