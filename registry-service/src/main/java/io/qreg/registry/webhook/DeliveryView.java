package io.qreg.registry.webhook;

import java.time.Instant;
import java.util.UUID;

/** One delivery as the API shows it; {@code nextAttemptAt} is set while a retry is scheduled. */
public record DeliveryView(UUID id, UUID webhookId, UUID eventId, String eventType, DeliveryStatus status,
        int attempts, int maxAttempts, Integer lastStatusCode, String lastError, Instant lastAttemptAt,
        Instant nextAttemptAt, Instant deliveredAt, Instant createdAt, Object payload) {
}
