package io.qreg.registry.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The answer to creating a subscription. {@code secret} is set only when QReg generated it, and
 * this is the only response that ever carries it.
 */
public record CreatedWebhook(UUID id, String url, List<String> events, String description, Instant createdAt,
        String createdBy, String owner, String secret) {
}
