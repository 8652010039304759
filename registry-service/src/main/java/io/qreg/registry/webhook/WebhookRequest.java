package io.qreg.registry.webhook;

import java.util.List;

/** {@code POST /api/v1/webhooks}: where to send, which events, an optional own secret, and a note for people. */
public record WebhookRequest(String url, List<String> events, String secret, String description) {
}
