package io.qreg.registry.routing;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import io.qreg.registry.web.ApiException;
import io.qreg.registry.web.PageResponse;
import io.qreg.registry.web.Pagination;
import io.qreg.registry.web.WaitParameter;

import org.springframework.data.domain.Sort;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import lombok.RequiredArgsConstructor;

/**
 * The routing config over HTTP. A poll whose {@code If-None-Match} names the current rendering is
 * answered 304 from memory; with {@code ?wait=} the answer is held (without holding a request
 * thread) until a new revision is published or the wait is over, then 200 or 304.
 */
@RestController
@RequiredArgsConstructor
class RoutingController {

    private final RoutingService routing;
    private final RoutingCache cache;

    @GetMapping(path = "/api/v1/routing/{deployment}", params = "!wait")
    ResponseEntity<byte[]> get(@PathVariable String deployment, @RequestParam(required = false) String environment,
            @RequestParam(required = false) String format,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        String f = RoutingFormats.normalize(format);
        Rendered now = routing.current(deployment, routing.environment(deployment, environment)).rendered(f);
        return now.matches(ifNoneMatch) ? notModified(now) : ok(now);
    }

    @GetMapping(path = "/api/v1/routing/{deployment}", params = "wait")
    DeferredResult<ResponseEntity<byte[]>> poll(@PathVariable String deployment,
            @RequestParam(required = false) String environment, @RequestParam(required = false) String format,
            @RequestParam String wait,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        Duration timeout = WaitParameter.parse(wait, null);
        String f = RoutingFormats.normalize(format);
        String env = routing.environment(deployment, environment);
        Rendered held = routing.current(deployment, env).rendered(f);
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>(Math.max(1, timeout.toMillis()));
        if (!held.matches(ifNoneMatch) || timeout.isZero()) {
            result.setResult(held.matches(ifNoneMatch) ? notModified(held) : ok(held));
            return result;
        }
        RoutingCache.Key key = new RoutingCache.Key(deployment, env);
        RoutingCache.Waiter waiter = new RoutingCache.Waiter(f, held.etag(), result);
        result.onTimeout(() -> result.setResult(notModified(held)));
        result.onCompletion(() -> cache.forget(key, waiter));
        cache.await(key, waiter);
        // A revision published between the read above and the registration would wake nobody.
        Rendered now = routing.current(deployment, env).rendered(f);
        if (!now.etag().equals(held.etag())) {
            result.setResult(ok(now));
        }
        return result;
    }

    @GetMapping("/api/v1/routing/{deployment}/revisions")
    PageResponse<RoutingViews.RevisionEntry> revisions(@PathVariable String deployment,
            @RequestParam(required = false) String environment, @RequestParam(required = false) Integer page,
            @RequestParam(required = false) Integer size) {
        return PageResponse.of(routing.revisions(deployment, routing.environment(deployment, environment),
                Pagination.of(page, size, Sort.unsorted())), r -> r);
    }

    @GetMapping("/api/v1/routing/{deployment}/revisions/{revision}")
    ResponseEntity<byte[]> revision(@PathVariable String deployment, @PathVariable long revision,
            @RequestParam(required = false) String environment, @RequestParam(required = false) String format) {
        String f = RoutingFormats.normalize(format);
        return ok(routing.revision(deployment, routing.environment(deployment, environment), revision).rendered(f));
    }

    @PostMapping("/api/v1/routing/{deployment}/ack")
    RoutingViews.GatewayView ack(@PathVariable String deployment, @RequestBody RoutingViews.AckRequest request) {
        return routing.ack(deployment, request);
    }

    @GetMapping("/api/v1/routing/{deployment}/gateways")
    RoutingViews.GatewaysView gateways(@PathVariable String deployment,
            @RequestParam(required = false) String environment) {
        return routing.gateways(deployment, environment);
    }

    @GetMapping("/api/v1/deployments/{name}/history")
    RoutingViews.HistoryView history(@PathVariable String name, @RequestParam(required = false) String at,
            @RequestParam(required = false) String environment, @RequestParam(required = false) String tier) {
        Instant when;
        try {
            when = at == null || at.isBlank() ? Instant.now() : Instant.parse(at);
        } catch (DateTimeParseException e) {
            throw ApiException.invalid("at", "at is an ISO-8601 instant such as 2026-01-01T12:00:00Z, got '"
                    + at + "'");
        }
        return routing.history(name, when, environment, tier);
    }

    static ResponseEntity<byte[]> ok(Rendered r) {
        return ResponseEntity.ok().header(HttpHeaders.ETAG, r.etag()).cacheControl(CacheControl.noCache())
                .contentType(MediaType.APPLICATION_JSON).body(r.bytes());
    }

    private static ResponseEntity<byte[]> notModified(Rendered r) {
        return notModified(r.etag());
    }

    static ResponseEntity<byte[]> notModified(String etag) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).header(HttpHeaders.ETAG, etag)
                .cacheControl(CacheControl.noCache()).build();
    }
}
