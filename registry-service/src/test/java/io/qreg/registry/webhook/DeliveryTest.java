package io.qreg.registry.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qreg.registry.support.IllegalTransitionException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/**
 * The webhook delivery state machine on its own: claims and their leases, success, retries with their
 * backoff until the last attempt, refusal and cancellation, and the edges it refuses by naming the state.
 */
class DeliveryTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    private static Delivery pending(int maxAttempts) {
        return Delivery.pending(UUID.randomUUID(), UUID.randomUUID(), maxAttempts, NOW);
    }

    private static UUID claim(Delivery d, Instant at) {
        UUID token = UUID.randomUUID();
        d.claim(token, at, at.plus(LEASE));
        return token;
    }

    @Test
    void aNewDeliveryIsPendingAndDueAtOnce() {
        Delivery d = pending(3);
        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.attempts()).isZero();
        assertThat(d.nextAttemptAt()).isEqualTo(NOW);
        assertThat(d.createdAt()).isEqualTo(NOW);
    }

    @Test
    void aClaimStartsAnAttemptUnderALeaseThatOnlyItsTokenHolds() {
        Delivery d = pending(3);
        UUID token = claim(d, NOW);
        assertThat(d.status()).isEqualTo(DeliveryStatus.SENDING);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.leaseExpiresAt()).isEqualTo(NOW.plus(LEASE));
        assertThat(d.lastAttemptAt()).isEqualTo(NOW);
        assertThat(d.nextAttemptAt()).isNull();
        assertThat(d.isClaimedBy(token)).isTrue();
        assertThat(d.isClaimedBy(UUID.randomUUID())).isFalse();
    }

    @Test
    void a2xxMakesItDeliveredAndReleasesTheLease() {
        Delivery d = pending(3);
        UUID token = claim(d, NOW);
        d.delivered(204, NOW.plusSeconds(1));
        assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(d.lastStatusCode()).isEqualTo(204);
        assertThat(d.lastError()).isNull();
        assertThat(d.deliveredAt()).isEqualTo(NOW.plusSeconds(1));
        assertThat(d.claimToken()).isNull();
        assertThat(d.leaseExpiresAt()).isNull();
        assertThat(d.isClaimedBy(token)).isFalse();
    }

    @Test
    void aFailureGoesBackToPendingAfterTheBackoffWhileAttemptsRemain() {
        Delivery d = pending(3);
        claim(d, NOW);
        assertThat(d.failed(503, "service unavailable", NOW.plusSeconds(1), Duration.ofSeconds(10))).isTrue();
        assertThat(d.status()).isEqualTo(DeliveryStatus.PENDING);
        assertThat(d.nextAttemptAt()).isEqualTo(NOW.plusSeconds(11));
        assertThat(d.lastStatusCode()).isEqualTo(503);
        assertThat(d.lastError()).isEqualTo("service unavailable");
        assertThat(d.claimToken()).isNull();

        assertThatThrownBy(() -> claim(d, NOW.plusSeconds(10))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is PENDING until " + NOW.plusSeconds(11) + " and cannot be claimed");
        assertThat(d.attempts()).isEqualTo(1);
        claim(d, NOW.plusSeconds(11));
        assertThat(d.status()).isEqualTo(DeliveryStatus.SENDING);
        assertThat(d.attempts()).isEqualTo(2);
    }

    @Test
    void aFailureOfTheLastAttemptEndsItFailed() {
        Delivery d = pending(2);
        claim(d, NOW);
        assertThat(d.failed(500, "boom", NOW, Duration.ofSeconds(10))).isTrue();
        claim(d, NOW.plusSeconds(10));
        assertThat(d.failed(null, "connection refused", NOW.plusSeconds(11), Duration.ofSeconds(20))).isFalse();
        assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(d.attempts()).isEqualTo(2);
        assertThat(d.nextAttemptAt()).isNull();
        assertThat(d.lastStatusCode()).isNull();
        assertThat(d.lastError()).isEqualTo("connection refused");
        assertThatThrownBy(() -> claim(d, NOW.plusSeconds(3600))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is FAILED and cannot be claimed");
    }

    @Test
    void aLongErrorIsCutTo1000Characters() {
        Delivery d = pending(1);
        claim(d, NOW);
        d.failed(500, "x".repeat(5000), NOW, Duration.ZERO);
        assertThat(d.lastError()).hasSize(1000);
    }

    @Test
    void anAbandonedSendIsClaimedAgainEvenAfterItsLastAttempt() {
        Delivery d = pending(1);
        UUID first = claim(d, NOW);
        assertThatThrownBy(() -> claim(d, NOW.plus(LEASE))).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is SENDING under a lease until " + NOW.plus(LEASE));
        UUID second = claim(d, NOW.plus(LEASE).plusSeconds(1));
        assertThat(d.status()).isEqualTo(DeliveryStatus.SENDING);
        assertThat(d.attempts()).isEqualTo(2);
        assertThat(d.isClaimedBy(first)).isFalse();
        assertThat(d.isClaimedBy(second)).isTrue();
    }

    @Test
    void aRefusedTargetFailsAtOnceWithoutRetry() {
        Delivery d = pending(5);
        claim(d, NOW);
        d.refused("target 10.0.0.1 is a private address");
        assertThat(d.status()).isEqualTo(DeliveryStatus.FAILED);
        assertThat(d.attempts()).isEqualTo(1);
        assertThat(d.lastError()).isEqualTo("target 10.0.0.1 is a private address");
        assertThat(d.leaseExpiresAt()).isNull();
    }

    @Test
    void pendingAndSendingDeliveriesCanBeCancelled() {
        Delivery waiting = pending(3);
        waiting.cancel("subscription deleted");
        assertThat(waiting.status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(waiting.nextAttemptAt()).isNull();
        assertThat(waiting.lastError()).isEqualTo("subscription deleted");

        Delivery sending = pending(3);
        UUID token = claim(sending, NOW);
        sending.cancel("subscription deleted");
        assertThat(sending.status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(sending.isClaimedBy(token)).isFalse();
    }

    @Test
    void finishedDeliveriesRefuseEveryMoveAndStayAsTheyWere() {
        Delivery d = pending(3);
        claim(d, NOW);
        d.delivered(200, NOW);
        assertThatThrownBy(() -> d.cancel("late")).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is DELIVERED and cannot be cancelled; only PENDING or SENDING deliveries can")
                .satisfies(e -> assertThat(((IllegalTransitionException) e).state()).isEqualTo(DeliveryStatus.DELIVERED));
        assertThatThrownBy(() -> d.failed(500, "x", NOW, Duration.ZERO)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is DELIVERED and cannot be marked as failed; that needs SENDING");
        assertThatThrownBy(() -> d.refused("x")).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("cannot be refused");
        assertThat(d.status()).isEqualTo(DeliveryStatus.DELIVERED);
        assertThat(d.lastStatusCode()).isEqualTo(200);
        assertThat(d.lastError()).isNull();
        assertThat(d.attempts()).isEqualTo(1);

        Delivery cancelled = pending(3);
        cancelled.cancel("gone");
        assertThatThrownBy(() -> cancelled.delivered(200, NOW)).isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is CANCELLED and cannot be marked DELIVERED");
        assertThatThrownBy(() -> claim(cancelled, NOW)).isInstanceOf(IllegalTransitionException.class);
        assertThat(cancelled.status()).isEqualTo(DeliveryStatus.CANCELLED);
        assertThat(cancelled.deliveredAt()).isNull();
    }
}
