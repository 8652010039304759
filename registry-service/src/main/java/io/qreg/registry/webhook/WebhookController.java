package io.qreg.registry.webhook;

import java.net.URI;
import java.util.UUID;

import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;

import org.springframework.data.domain.Sort;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Webhook subscriptions over HTTP: create (a generated secret is shown here only), read, delete, deliveries, ping. */
@RestController
@RequestMapping("/api/v1/webhooks")
@RequiredArgsConstructor
class WebhookController {

    private final WebhookService webhooks;

    @PostMapping
    ResponseEntity<CreatedWebhook> create(@RequestBody WebhookRequest request) {
        CreatedWebhook created = webhooks.create(request);
        return ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/api/v1/webhooks/" + created.id()))
                .body(created);
    }

    @GetMapping
    PageResponse<WebhookView> list(@RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(webhooks.list(Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt"))),
                w -> w);
    }

    @GetMapping("/{id}")
    WebhookView get(@PathVariable UUID id) {
        return webhooks.get(id);
    }

    @DeleteMapping("/{id}")
    WebhookView delete(@PathVariable UUID id) {
        return webhooks.delete(id);
    }

    @GetMapping("/{id}/deliveries")
    PageResponse<DeliveryView> deliveries(@PathVariable UUID id, @RequestParam(required = false) String status,
            @RequestParam(required = false) Integer page, @RequestParam(required = false) Integer size) {
        return PageResponse.of(webhooks.deliveries(id, status,
                Pagination.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt"))), d -> d);
    }

    @PostMapping("/{id}/test")
    ResponseEntity<DeliveryView> test(@PathVariable UUID id) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(webhooks.test(id));
    }
}
