package io.qreg.registry.webhook;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.support.Timestamps;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import tools.jackson.core.type.TypeReference;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * The transactional outbox: features record an event in the same transaction as the change it
 * announces, so it is delivered if and only if that change commits. Each event becomes one
 * delivery per live subscription that wants it; the dispatcher sends them after the commit.
 */
@Service
@RequiredArgsConstructor(access = AccessLevel.PACKAGE)
public class WebhookOutbox {

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final Subscriptions subscriptions;
    private final Deliveries deliveries;
    private final WebhookSettings settings;
    private final WebhookDispatcher dispatcher;

    /**
     * Records that {@code eventType} (one of {@link WebhookEvents#SUBSCRIBABLE}) happened to a
     * subject, with {@code data} as the payload's {@code data}; returns how many deliveries were
     * queued (0 when no subscription wants it, and then nothing is stored). Must run inside the
     * caller's transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public int enqueue(String eventType, String subjectType, String subjectId, Map<String, Object> data) {
        if (!WebhookEvents.SUBSCRIBABLE.contains(eventType)) {
            throw new IllegalArgumentException("unknown webhook event type '" + eventType + "'; known: "
                    + WebhookEvents.SUBSCRIBABLE);
        }
        if (subjectType == null || subjectType.isBlank() || subjectId == null || subjectId.isBlank()) {
            throw new IllegalArgumentException("a webhook event needs a subject type and id");
        }
        List<UUID> targets = subscriptions.matching(eventType);
        if (targets.isEmpty()) {
            return 0;
        }
        return record(eventType, subjectType, subjectId, data, targets).size();
    }

    /** A domain event record's fields as payload data (ids as strings, times as ISO-8601), for one-line listeners. */
    public static Map<String, Object> fieldsOf(Object event) {
        return CanonicalJson.mapper().convertValue(event, MAP);
    }

    /** A ping for one subscription only, whatever events it asked for. */
    @Transactional(propagation = Propagation.MANDATORY)
    Delivery ping(Subscriptions.Subscription target) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("webhookId", target.id().toString());
        data.put("events", target.events());
        data.put("description", target.description());
        return record(WebhookEvents.PING, "webhook", target.id().toString(), data, List.of(target.id())).get(0);
    }

    private List<Delivery> record(String type, String subjectType, String subjectId, Map<String, Object> data,
            List<UUID> targets) {
        UUID eventId = UUID.randomUUID();
        Instant now = Timestamps.now();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", eventId.toString());
        payload.put("type", type);
        payload.put("occurredAt", now.toString());
        payload.put("subject", Map.of("type", subjectType, "id", subjectId));
        payload.put("data", data == null ? Map.of() : data);
        deliveries.insertEvent(eventId, type, subjectType, subjectId, now, CanonicalJson.write(payload));
        List<Delivery> queued = targets.stream()
                .map(subscription -> Delivery.pending(subscription, eventId, settings.maxAttempts(), now)).toList();
        deliveries.insert(queued);
        dispatcher.wakeAfterCommit();
        return queued;
    }
}
