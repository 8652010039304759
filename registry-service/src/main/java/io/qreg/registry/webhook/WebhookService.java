package io.qreg.registry.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.security.CurrentUser;
import io.qreg.registry.support.Timestamps;
import io.qreg.registry.web.ApiException;

import org.springframework.data.domain.Page;
import org.springframework.data.domain.Pageable;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * Webhook subscriptions: create (validating the URL, the event filter and an own secret), read,
 * delete (cancelling what was still to be sent), their delivery log, and test pings. Every change
 * is audited; the audit never carries the URL, which may embed a receiver's credentials, nor the secret.
 * A subscription belongs to its creator: an ENGINEER reaches only their own (another's answers 404,
 * as if it did not exist, so ids reveal nothing), an ADMIN every one.
 */
@Service
@RequiredArgsConstructor
class WebhookService {

    static final String SECRET_PREFIX = "whsec_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Subscriptions subscriptions;
    private final Deliveries deliveries;
    private final WebhookOutbox outbox;
    private final WebhookTargetPolicy targets;
    private final AuditLog audit;

    @Transactional
    public CreatedWebhook create(WebhookRequest r) {
        if (r == null) {
            throw ApiException.invalid("url", "the body must be {url, events, secret?, description?}");
        }
        URI url = validUrl(r.url());
        targets.checkNewTarget(url);
        List<String> events = validEvents(r.events());
        boolean generated = r.secret() == null;
        String secret = generated ? newSecret() : validSecret(r.secret());
        String description = r.description() == null || r.description().isBlank() ? null : r.description().trim();
        if (description != null && description.length() > 500) {
            throw ApiException.invalid("description", "description is at most 500 characters, got "
                    + description.length());
        }
        Subscriptions.Subscription s = new Subscriptions.Subscription(UUID.randomUUID(), url.toString(),
                events, description, Timestamps.now(), CurrentUser.username(), CurrentUser.username());
        subscriptions.insert(s, secret);
        audit.record("webhook.created", "webhook", s.id().toString(), null, s.view(),
                Map.of("host", url.getHost(), "events", events, "secretGenerated", generated));
        return new CreatedWebhook(s.id(), s.url(), s.events(), s.description(), s.createdAt(), s.createdBy(),
                s.owner(), generated ? secret : null);
    }

    @Transactional(readOnly = true)
    public WebhookView get(UUID id) {
        return live(id).view();
    }

    @Transactional(readOnly = true)
    public Page<WebhookView> list(Pageable pageable) {
        return subscriptions.page(visibleOwner(), pageable).map(Subscriptions.Subscription::view);
    }

    /** Stops the subscription: nothing new is queued for it and what was still to be sent is cancelled. */
    @Transactional
    public WebhookView delete(UUID id) {
        Subscriptions.Subscription s = live(id);
        if (!subscriptions.markDeleted(id, Timestamps.now(), CurrentUser.username())) {
            throw ApiException.notFound("webhook", id);
        }
        int cancelled = deliveries.cancelUnfinished(id);
        audit.record("webhook.deleted", "webhook", id.toString(), s.view(), null,
                Map.of("cancelledDeliveries", cancelled));
        return s.view();
    }

    @Transactional(readOnly = true)
    public Page<DeliveryView> deliveries(UUID id, String status, Pageable pageable) {
        live(id);
        return deliveries.page(id, parseStatus(status), pageable);
    }

    /** Queues a {@code ping} event for this subscription alone; the answer is the delivery to watch. */
    @Transactional
    public DeliveryView test(UUID id) {
        Delivery ping = outbox.ping(live(id));
        audit.record("webhook.tested", "webhook", id.toString(), null, null,
                Map.of("deliveryId", ping.id().toString(), "eventId", ping.eventId().toString()));
        return deliveries.view(ping.id()).orElseThrow();
    }

    private Subscriptions.Subscription live(UUID id) {
        return subscriptions.find(id, visibleOwner()).orElseThrow(() -> ApiException.notFound("webhook", id));
    }

    /** Whose subscriptions the caller may reach: everyone's (null) for an ADMIN, else their own. */
    private static String visibleOwner() {
        return CurrentUser.isAdmin() ? null : CurrentUser.username();
    }

    static URI validUrl(String url) {
        if (url == null || url.isBlank()) {
            throw ApiException.invalid("url", "url is required: the http:// or https:// address QReg POSTs events to");
        }
        if (url.length() > 2048) {
            throw ApiException.invalid("url", "url is at most 2048 characters, got " + url.length());
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            throw ApiException.invalid("url", "url is not a valid URL (" + e.getReason() + " at index "
                    + e.getIndex() + "): '" + url + "'");
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw ApiException.invalid("url", "url must be an http:// or https:// URL, got '" + url + "'");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw ApiException.invalid("url", "url must name a host, e.g. https://ci.example.com/hooks/qreg; got '"
                    + url + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw ApiException.invalid("url", "url must not carry credentials (user:password@): they would not be"
                    + " sent; check the X-QReg-Signature header in the receiver instead");
        }
        if (uri.getRawFragment() != null) {
            throw ApiException.invalid("url", "url must not have a #fragment: HTTP never sends it to the receiver");
        }
        return uri;
    }

    static List<String> validEvents(List<String> events) {
        String known = "one or more of " + WebhookEvents.SUBSCRIBABLE + ", or [\"*\"] for every event";
        if (events == null || events.isEmpty()) {
            throw ApiException.invalid("events", "events is required: " + known);
        }
        List<String> chosen = new ArrayList<>();
        for (String event : events) {
            String e = event == null ? null : event.trim();
            if (!WebhookEvents.ALL.equals(e) && !WebhookEvents.SUBSCRIBABLE.contains(e)) {
                throw ApiException.invalid("events", "unknown event type '" + event + "'; events is " + known);
            }
            if (!chosen.contains(e)) {
                chosen.add(e);
            }
        }
        if (chosen.contains(WebhookEvents.ALL) && chosen.size() > 1) {
            throw ApiException.invalid("events", "'*' already means every event: send [\"*\"] alone, or list the"
                    + " event types you want");
        }
        return List.copyOf(chosen);
    }

    private static String validSecret(String secret) {
        if (secret.length() < 16 || secret.length() > 256 || secret.isBlank()) {
            throw ApiException.invalid("secret", "secret must be 16 to 256 characters, got " + secret.length()
                    + "; leave it out and QReg generates a strong one, shown once");
        }
        return secret;
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static DeliveryStatus parseStatus(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        try {
            return DeliveryStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("status", "status must be one of "
                    + java.util.Arrays.toString(DeliveryStatus.values()) + ", got '" + status + "'");
        }
    }
}
