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

import lombok.RequiredArgsConstructor;

/**
 * Webhook subscriptions in plain SQL; a deleted one keeps its row (deliveries refer to it) but never
 * matches. Secrets are written only as ciphertext; reads never load them (the dispatcher does).
 * Where a method takes an {@code owner}, {@code null} means every owner (an ADMIN's view).
 */
@Repository
@RequiredArgsConstructor
class Subscriptions {

    /** A live subscription, without its secret. */
    record Subscription(UUID id, String url, List<String> events, String description, Instant createdAt,
            String createdBy, String owner) {

        WebhookView view() {
            return new WebhookView(id, url, events, description, createdAt, createdBy, owner);
        }
    }

    private final JdbcTemplate jdbc;
    private final WebhookSecretCipher cipher;

    void insert(Subscription s, String secret) {
        jdbc.update("""
                insert into webhook_subscription (id, url, events, secret_ciphertext, description, created_at,
                                                  created_by, owner)
                values (?, ?, ?::text[], ?, ?, ?, ?, ?)""",
                s.id(), s.url(), s.events().toArray(String[]::new), cipher.encrypt(s.id(), secret), s.description(),
                Timestamp.from(s.createdAt()), s.createdBy(), s.owner());
    }

    Optional<Subscription> find(UUID id, String owner) {
        return jdbc.query("select * from webhook_subscription where id = ? and deleted_at is null"
                + " and (?::varchar is null or owner = ?)", Subscriptions::map, id, owner, owner)
                .stream().findFirst();
    }

    Page<Subscription> page(String owner, Pageable pageable) {
        String where = " where deleted_at is null and (?::varchar is null or owner = ?)";
        Long total = jdbc.queryForObject("select count(*) from webhook_subscription" + where, Long.class,
                owner, owner);
        List<Subscription> items = jdbc.query("select * from webhook_subscription" + where
                + " order by created_at desc, id limit ? offset ?", Subscriptions::map, owner, owner,
                pageable.getPageSize(), pageable.getOffset());
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

    /**
     * Encrypts the secrets still stored in plaintext (rows from before V12, or written by an older
     * instance during a rolling upgrade); returns how many it encrypted.
     */
    int encryptPlaintextSecrets() {
        record Plain(UUID id, String secret) {
        }
        List<Plain> plain = jdbc.query("select id, secret from webhook_subscription where secret is not null",
                (rs, n) -> new Plain(rs.getObject("id", UUID.class), rs.getString("secret")));
        int encrypted = 0;
        for (Plain p : plain) {
            encrypted += jdbc.update("update webhook_subscription set secret_ciphertext = ?, secret = null"
                    + " where id = ? and secret = ?", cipher.encrypt(p.id(), p.secret()), p.id(), p.secret());
        }
        return encrypted;
    }

    private static Subscription map(ResultSet rs, int row) throws SQLException {
        Array events = rs.getArray("events");
        return new Subscription(rs.getObject("id", UUID.class), rs.getString("url"),
                List.of((String[]) events.getArray()), rs.getString("description"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"), rs.getString("owner"));
    }
}
