package io.qreg.registry.webhook;

import static io.qreg.registry.support.SqlTimestamps.instant;
import static io.qreg.registry.support.SqlTimestamps.timestamp;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import lombok.RequiredArgsConstructor;

/** Outbox events and their deliveries in plain SQL (row locks, SKIP LOCKED). */
@Repository
@RequiredArgsConstructor
class Deliveries {

    /** A due delivery with everything its attempt needs, read in the claim's transaction. */
    record Due(Delivery delivery, String url, String plaintextSecret, String secretCiphertext, String eventType,
            String payload, boolean subscriptionDeleted) {
    }

    static final String CANCELLED_BY_DELETE = "cancelled: the subscription was deleted";

    private final JdbcTemplate jdbc;

    void insertEvent(UUID id, String type, String subjectType, String subjectId, Instant occurredAt,
            String payload) {
        jdbc.update("""
                insert into webhook_event (id, type, subject_type, subject_id, occurred_at, payload)
                values (?, ?, ?, ?, ?, ?)""", id, type, subjectType, subjectId, Timestamp.from(occurredAt), payload);
    }

    void insert(List<Delivery> deliveries) {
        jdbc.batchUpdate("""
                insert into webhook_delivery (id, subscription_id, event_id, status, attempts, max_attempts,
                                              next_attempt_at, created_at)
                values (?, ?, ?, ?, ?, ?, ?, ?)""", deliveries, deliveries.size(), (ps, d) -> {
            ps.setObject(1, d.id());
            ps.setObject(2, d.subscriptionId());
            ps.setObject(3, d.eventId());
            ps.setString(4, d.status().name());
            ps.setInt(5, d.attempts());
            ps.setInt(6, d.maxAttempts());
            ps.setTimestamp(7, timestamp(d.nextAttemptAt()));
            ps.setTimestamp(8, timestamp(d.createdAt()));
        });
    }

    /**
     * Locks up to {@code limit} deliveries that are due (a PENDING one whose time has come, or a
     * SENDING one whose claimer's lease ran out), skipping rows another dispatcher holds, so two
     * registry instances on one database never claim the same delivery.
     */
    List<Due> lockDue(Instant now, int limit) {
        return jdbc.query("""
                select d.*, s.url, s.secret, s.secret_ciphertext, s.deleted_at is not null as subscription_deleted,
                       e.type as event_type, e.payload
                  from webhook_delivery d
                  join webhook_subscription s on s.id = d.subscription_id
                  join webhook_event e on e.id = d.event_id
                 where (d.status = 'PENDING' and d.next_attempt_at <= ?)
                    or (d.status = 'SENDING' and d.lease_expires_at < ?)
                 order by coalesce(d.next_attempt_at, d.lease_expires_at), d.id
                 limit ?
                 for update of d skip locked""",
                (rs, n) -> new Due(map(rs, n), rs.getString("url"), rs.getString("secret"),
                        rs.getString("secret_ciphertext"), rs.getString("event_type"), rs.getString("payload"),
                        rs.getBoolean("subscription_deleted")),
                timestamp(now), timestamp(now), limit);
    }

    Optional<Delivery> lock(UUID id) {
        return jdbc.query("select * from webhook_delivery where id = ? for update", Deliveries::map, id)
                .stream().findFirst();
    }

    /** Writes every mutable field back; the caller holds the row lock. */
    void update(Delivery d) {
        jdbc.update("""
                update webhook_delivery set status = ?, attempts = ?, next_attempt_at = ?, claim_token = ?,
                                            lease_expires_at = ?, last_status_code = ?, last_error = ?,
                                            last_attempt_at = ?, delivered_at = ?
                 where id = ?""",
                d.status().name(), d.attempts(), timestamp(d.nextAttemptAt()), d.claimToken(),
                timestamp(d.leaseExpiresAt()), d.lastStatusCode(), d.lastError(), timestamp(d.lastAttemptAt()),
                timestamp(d.deliveredAt()), d.id());
    }

    /**
     * Cancels what a deleted subscription still had waiting or in flight, in bulk: the PENDING and
     * SENDING rows, the states {@link Delivery#cancel} leaves from.
     */
    int cancelUnfinished(UUID subscriptionId) {
        return jdbc.update("""
                update webhook_delivery
                   set status = 'CANCELLED', next_attempt_at = null, claim_token = null, lease_expires_at = null,
                       last_error = ?
                 where subscription_id = ? and status in ('PENDING', 'SENDING')""", CANCELLED_BY_DELETE,
                subscriptionId);
    }

    Optional<DeliveryView> view(UUID id) {
        return jdbc.query("select d.*, e.type as event_type, e.payload from webhook_delivery d"
                + " join webhook_event e on e.id = d.event_id where d.id = ?", Deliveries::view, id)
                .stream().findFirst();
    }

    Page<DeliveryView> page(UUID subscriptionId, DeliveryStatus status, Pageable pageable) {
        List<Object> args = new ArrayList<>(List.of(subscriptionId));
        String where = " where d.subscription_id = ?";
        if (status != null) {
            where += " and d.status = ?";
            args.add(status.name());
        }
        Long total = jdbc.queryForObject("select count(*) from webhook_delivery d" + where, Long.class,
                args.toArray());
        args.add(pageable.getPageSize());
        args.add(pageable.getOffset());
        List<DeliveryView> items = jdbc.query("select d.*, e.type as event_type, e.payload from webhook_delivery d"
                + " join webhook_event e on e.id = d.event_id" + where
                + " order by d.created_at desc, d.id limit ? offset ?", Deliveries::view, args.toArray());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    private static DeliveryView view(ResultSet rs, int row) throws SQLException {
        Delivery d = map(rs, row);
        return new DeliveryView(d.id(), d.subscriptionId(), d.eventId(), rs.getString("event_type"), d.status(),
                d.attempts(), d.maxAttempts(), d.lastStatusCode(), d.lastError(), d.lastAttemptAt(),
                d.nextAttemptAt(), d.deliveredAt(), d.createdAt(),
                CanonicalJson.mapper().readValue(rs.getString("payload"), Object.class));
    }

    private static Delivery map(ResultSet rs, int row) throws SQLException {
        return new Delivery(rs.getObject("id", UUID.class), rs.getObject("subscription_id", UUID.class),
                rs.getObject("event_id", UUID.class), DeliveryStatus.valueOf(rs.getString("status")),
                rs.getInt("attempts"), rs.getInt("max_attempts"), instant(rs, "next_attempt_at"),
                rs.getObject("claim_token", UUID.class), instant(rs, "lease_expires_at"),
                (Integer) rs.getObject("last_status_code"), rs.getString("last_error"),
                instant(rs, "last_attempt_at"), instant(rs, "delivered_at"), instant(rs, "created_at"));
    }
}
