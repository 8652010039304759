package io.qreg.registry.webhook;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One event on its way to one subscription, and its state machine:
 *
 * <pre>
 * PENDING (due)            --claim-->   SENDING (attempts + 1, claim token, lease)
 * SENDING (lease expired)  --claim-->   SENDING (attempts + 1; the instance that held it died mid-send)
 * SENDING --2xx-->                      DELIVERED
 * SENDING --failure-->                  PENDING at the next backoff while attempts remain, else FAILED
 * SENDING --refused-->                  FAILED (the target is not allowed; no retry can change that)
 * PENDING | SENDING --cancel-->         CANCELLED (its subscription was deleted)
 * </pre>
 *
 * An attempt whose lease expired is never counted as the receiver's failure: its outcome is
 * unknown, so it is sent again even when it was the last one allowed. Receivers de-duplicate by
 * delivery id.
 */
class Delivery {

    private final UUID id;
    private final UUID subscriptionId;
    private final UUID eventId;
    private DeliveryStatus status;
    private int attempts;
    private final int maxAttempts;
    private Instant nextAttemptAt;
    private UUID claimToken;
    private Instant leaseExpiresAt;
    private Integer lastStatusCode;
    private String lastError;
    private Instant lastAttemptAt;
    private Instant deliveredAt;
    private final Instant createdAt;

    Delivery(UUID id, UUID subscriptionId, UUID eventId, DeliveryStatus status, int attempts, int maxAttempts,
            Instant nextAttemptAt, UUID claimToken, Instant leaseExpiresAt, Integer lastStatusCode, String lastError,
            Instant lastAttemptAt, Instant deliveredAt, Instant createdAt) {
        this.id = id;
        this.subscriptionId = subscriptionId;
        this.eventId = eventId;
        this.status = status;
        this.attempts = attempts;
        this.maxAttempts = maxAttempts;
        this.nextAttemptAt = nextAttemptAt;
        this.claimToken = claimToken;
        this.leaseExpiresAt = leaseExpiresAt;
        this.lastStatusCode = lastStatusCode;
        this.lastError = lastError;
        this.lastAttemptAt = lastAttemptAt;
        this.deliveredAt = deliveredAt;
        this.createdAt = createdAt;
    }

    /** A new delivery, due at once. */
    static Delivery pending(UUID subscriptionId, UUID eventId, int maxAttempts, Instant now) {
        return new Delivery(UUID.randomUUID(), subscriptionId, eventId, DeliveryStatus.PENDING, 0, maxAttempts, now,
                null, null, null, null, null, null, now);
    }

    /** Takes the delivery for one attempt; only this claim's token may report its outcome. */
    void claim(UUID token, Instant now, Instant leaseUntil) {
        boolean due = status == DeliveryStatus.PENDING && !nextAttemptAt.isAfter(now);
        boolean abandoned = status == DeliveryStatus.SENDING && leaseExpiresAt.isBefore(now);
        if (!due && !abandoned) {
            throw new IllegalTransitionException(status, "delivery " + id + " is " + status
                    + (status == DeliveryStatus.SENDING ? " under a lease until " + leaseExpiresAt : "")
                    + (status == DeliveryStatus.PENDING ? " until " + nextAttemptAt : "")
                    + " and cannot be claimed; that needs a due PENDING or an expired SENDING delivery");
        }
        status = DeliveryStatus.SENDING;
        attempts++;
        claimToken = token;
        leaseExpiresAt = leaseUntil;
        nextAttemptAt = null;
        lastAttemptAt = now;
    }

    /** Whether the claim holding this token is still the one in charge (no other instance took over). */
    boolean isClaimedBy(UUID token) {
        return status == DeliveryStatus.SENDING && token.equals(claimToken);
    }

    void delivered(int statusCode, Instant now) {
        require(DeliveryStatus.SENDING, "marked DELIVERED");
        status = DeliveryStatus.DELIVERED;
        lastStatusCode = statusCode;
        lastError = null;
        deliveredAt = now;
        release();
    }

    /** Schedules the next attempt after {@code delay} while attempts remain (true), else ends FAILED (false). */
    boolean failed(Integer statusCode, String error, Instant now, Duration delay) {
        require(DeliveryStatus.SENDING, "marked as failed");
        lastStatusCode = statusCode;
        lastError = error == null || error.length() <= 1000 ? error : error.substring(0, 1000);
        release();
        if (attempts < maxAttempts) {
            status = DeliveryStatus.PENDING;
            nextAttemptAt = now.plus(delay);
            return true;
        }
        status = DeliveryStatus.FAILED;
        return false;
    }

    /** Ends the delivery without a retry: the target policy refused it, so it was never sent. */
    void refused(String error) {
        require(DeliveryStatus.SENDING, "refused");
        status = DeliveryStatus.FAILED;
        lastStatusCode = null;
        lastError = error;
        release();
    }

    /** Ends a delivery nobody should receive any more (its subscription was deleted). */
    void cancel(String reason) {
        if (status != DeliveryStatus.PENDING && status != DeliveryStatus.SENDING) {
            throw new IllegalTransitionException(status, "delivery " + id + " is " + status
                    + " and cannot be cancelled; only PENDING or SENDING deliveries can");
        }
        status = DeliveryStatus.CANCELLED;
        nextAttemptAt = null;
        lastError = reason;
        release();
    }

    private void release() {
        claimToken = null;
        leaseExpiresAt = null;
    }

    private void require(DeliveryStatus expected, String action) {
        if (status != expected) {
            throw new IllegalTransitionException(status, "delivery " + id + " is " + status
                    + " and cannot be " + action + "; that needs " + expected);
        }
    }

    UUID id() {
        return id;
    }

    UUID subscriptionId() {
        return subscriptionId;
    }

    UUID eventId() {
        return eventId;
    }

    DeliveryStatus status() {
        return status;
    }

    int attempts() {
        return attempts;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    Instant nextAttemptAt() {
        return nextAttemptAt;
    }

    UUID claimToken() {
        return claimToken;
    }

    Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    Integer lastStatusCode() {
        return lastStatusCode;
    }

    String lastError() {
        return lastError;
    }

    Instant lastAttemptAt() {
        return lastAttemptAt;
    }

    Instant deliveredAt() {
        return deliveredAt;
    }

    Instant createdAt() {
        return createdAt;
    }
}
