package io.qreg.registry.routing;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/** The stored revisions of routing configs and the gateways' acknowledgements, in plain SQL. */
@Repository
@RequiredArgsConstructor
class RoutingRevisions {

    private static final String SELECT = "select r.deployment_id, d.name, r.environment, r.revision, r.created_at,"
            + " r.body from routing_revision r join deployment d on d.id = r.deployment_id";

    private final JdbcTemplate jdbc;

    /** The newest revision's number and routes digest, to tell whether the routes changed. */
    record Head(long revision, String routesDigest) {
    }

    Optional<Head> head(UUID deploymentId, String environment) {
        return jdbc.query("select revision, routes_digest from routing_revision where deployment_id = ?"
                + " and environment = ? order by revision desc limit 1",
                (rs, n) -> new Head(rs.getLong(1), rs.getString(2)), deploymentId, environment).stream().findFirst();
    }

    void insert(UUID deploymentId, String environment, long revision, Rendered body, String routesDigest,
            Instant at) {
        jdbc.update("""
                insert into routing_revision (deployment_id, environment, revision, body, etag, routes_digest, created_at)
                values (?, ?, ?, ?, ?, ?, ?)""",
                deploymentId, environment, revision, body.text(), body.etag(), routesDigest, Timestamp.from(at));
    }

    /**
     * Announces a committed-to-be revision to every instance's {@link RoutingNotifications} with
     * {@code pg_notify}, which PostgreSQL delivers on commit; call inside the transaction that inserts it.
     */
    void announce(String deployment, String environment, long revision) {
        jdbc.queryForObject("select pg_notify(?, ?)::text", String.class, RoutingNotifications.CHANNEL,
                deployment + "\t" + environment + "\t" + revision);
    }

    Optional<Revision> latest(String deployment, String environment) {
        return jdbc.query(SELECT + " where d.name = ? and r.environment = ? order by r.revision desc limit 1",
                RoutingRevisions::map, deployment, environment).stream().findFirst();
    }

    Optional<Revision> get(UUID deploymentId, String environment, long revision) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ? and r.revision = ?",
                RoutingRevisions::map, deploymentId, environment, revision).stream().findFirst();
    }

    /** The stored bodies of the given revisions, by revision number (unknown numbers are absent). */
    java.util.Map<Long, String> bodies(UUID deploymentId, String environment, java.util.Collection<Long> revisions) {
        java.util.Map<Long, String> bodies = new java.util.TreeMap<>();
        if (revisions.isEmpty()) {
            return bodies;
        }
        jdbc.query("select revision, body from routing_revision where deployment_id = ? and environment = ?"
                + " and revision = any(?)", rs -> {
                    bodies.put(rs.getLong(1), rs.getString(2));
                }, deploymentId, environment, revisions.toArray(Long[]::new));
        return bodies;
    }

    /** The revision gateways were served at {@code at}: the newest one created by then. */
    Optional<Revision> at(UUID deploymentId, String environment, Instant at) {
        return jdbc.query(SELECT + " where r.deployment_id = ? and r.environment = ? and r.created_at <= ?"
                + " order by r.revision desc limit 1", RoutingRevisions::map, deploymentId, environment,
                Timestamp.from(at)).stream().findFirst();
    }

    /** A page of revisions, newest first, without their bodies. */
    record Entry(long revision, String etag, Instant generatedAt) {
    }

    List<Entry> list(UUID deploymentId, String environment, int limit, long offset) {
        return jdbc.query("select revision, etag, created_at from routing_revision where deployment_id = ?"
                + " and environment = ? order by revision desc limit ? offset ?",
                (rs, n) -> new Entry(rs.getLong(1), rs.getString(2), rs.getTimestamp(3).toInstant()), deploymentId,
                environment, limit, offset);
    }

    long count(UUID deploymentId, String environment) {
        Long n = jdbc.queryForObject("select count(*) from routing_revision where deployment_id = ?"
                + " and environment = ?", Long.class, deploymentId, environment);
        return n == null ? 0 : n;
    }

    record Ack(String gateway, long revision, Instant ackedAt, String ackedBy) {
    }

    Optional<Ack> ack(UUID deploymentId, String environment, String gateway) {
        return jdbc.query("select gateway, revision, acked_at, acked_by from routing_gateway where deployment_id = ?"
                + " and environment = ? and gateway = ?", RoutingRevisions::ack, deploymentId, environment, gateway)
                .stream().findFirst();
    }

    void saveAck(UUID deploymentId, String environment, Ack ack) {
        jdbc.update("""
                insert into routing_gateway (deployment_id, environment, gateway, revision, acked_at, acked_by)
                values (?, ?, ?, ?, ?, ?)
                on conflict (deployment_id, environment, gateway)
                do update set revision = excluded.revision, acked_at = excluded.acked_at, acked_by = excluded.acked_by""",
                deploymentId, environment, ack.gateway(), ack.revision(), Timestamp.from(ack.ackedAt()),
                ack.ackedBy());
    }

    List<Ack> acks(UUID deploymentId, String environment) {
        return jdbc.query("select gateway, revision, acked_at, acked_by from routing_gateway where deployment_id = ?"
                + " and environment = ? order by gateway", RoutingRevisions::ack, deploymentId, environment);
    }

    private static Ack ack(ResultSet rs, int row) throws SQLException {
        return new Ack(rs.getString(1), rs.getLong(2), rs.getTimestamp(3).toInstant(), rs.getString(4));
    }

    private static Revision map(ResultSet rs, int row) throws SQLException {
        return new Revision(rs.getObject("deployment_id", UUID.class), rs.getString("name"),
                rs.getString("environment"), rs.getLong("revision"), rs.getTimestamp("created_at").toInstant(),
                rs.getString("body"));
    }
}
