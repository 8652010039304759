package io.qreg.registry.webhook;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.PageImpl;
import org.springframework.data.domain.Pageable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Webhook subscriptions in plain SQL; a deleted one keeps its row (deliveries refer to it) but never matches. */
@Repository
class SubscriptionStore {

    /** A live subscription with the secret it signs with. */
    record Subscription(UUID id, String url, List<String> events, String secret, String description,
            Instant createdAt, String createdBy) {

        WebhookView view() {
            return new WebhookView(id, url, events, description, createdAt, createdBy);
        }
    }

    private final JdbcTemplate jdbc;

    SubscriptionStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    void insert(Subscription s) {
        jdbc.update("""
                insert into webhook_subscription (id, url, events, secret, description, created_at, created_by)
                values (?, ?, ?::text[], ?, ?, ?, ?)""",
                s.id(), s.url(), s.events().toArray(String[]::new), s.secret(), s.description(),
                Timestamp.from(s.createdAt()), s.createdBy());
    }

    Optional<Subscription> find(UUID id) {
        return jdbc.query("select * from webhook_subscription where id = ? and deleted_at is null",
                SubscriptionStore::map, id).stream().findFirst();
    }

    Page<Subscription> page(Pageable pageable) {
        Long total = jdbc.queryForObject("select count(*) from webhook_subscription where deleted_at is null",
                Long.class);
        List<Subscription> items = jdbc.query("""
                select * from webhook_subscription where deleted_at is null
                 order by created_at desc, id limit ? offset ?""",
                SubscriptionStore::map, pageable.getPageSize(), pageable.getOffset());
        return new PageImpl<>(items, pageable, total == null ? 0 : total);
    }

    /**
     * The live subscriptions that want this event type. Not locked: a delete racing with the
     * caller's transaction may leave a delivery behind, which the dispatcher cancels instead of sending.
     */
    List<UUID> matching(String eventType) {
        return jdbc.queryForList("""
                select id from webhook_subscription
                 where deleted_at is null and (? = any(events) or (? and '*' = any(events)))""", UUID.class, eventType,
                !WebhookEvents.NAMED_ONLY.contains(eventType));
    }

    boolean markDeleted(UUID id, Instant now, String by) {
        return jdbc.update("update webhook_subscription set deleted_at = ?, deleted_by = ?"
                + " where id = ? and deleted_at is null", Timestamp.from(now), by, id) == 1;
    }

    private static Subscription map(ResultSet rs, int row) throws SQLException {
        Array events = rs.getArray("events");
        return new Subscription(rs.getObject("id", UUID.class), rs.getString("url"),
                List.of((String[]) events.getArray()), rs.getString("secret"), rs.getString("description"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"));
    }
}
