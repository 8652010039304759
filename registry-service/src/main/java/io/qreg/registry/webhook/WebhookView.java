package io.qreg.registry.webhook;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** A subscription as the API shows it: never its secret. {@code owner} alone (and ADMINs) may see and delete it. */
public record WebhookView(UUID id, String url, List<String> events, String description, Instant createdAt,
        String createdBy, String owner) {
}
