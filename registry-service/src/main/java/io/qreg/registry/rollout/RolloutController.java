package io.qreg.registry.rollout;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import lombok.RequiredArgsConstructor;

/** Rollouts over HTTP: start one, read it, move it, and the canary's health reports. */
@RestController
@RequiredArgsConstructor
class RolloutController {

    private final RolloutService rollouts;
    private final HealthReports health;

    @PostMapping("/api/v1/deployments/{name}/rollouts")
    ResponseEntity<RolloutView> start(@PathVariable String name, @RequestBody RolloutRequest request) {
        RolloutView started = rollouts.start(name, request);
        return ResponseEntity.status(HttpStatus.CREATED).location(java.net.URI.create("/api/v1/rollouts/"
                + started.id())).body(started);
    }

    @GetMapping("/api/v1/rollouts/{id}")
    RolloutView get(@PathVariable UUID id) {
        return rollouts.get(id);
    }

    @PostMapping("/api/v1/rollouts/{id}/advance")
    RolloutView advance(@PathVariable UUID id,
            @RequestBody(required = false) RolloutService.AdvanceRequest request) {
        return rollouts.advance(id, request);
    }

    @PostMapping("/api/v1/rollouts/{id}/pause")
    RolloutView pause(@PathVariable UUID id) {
        return rollouts.pause(id);
    }

    @PostMapping("/api/v1/rollouts/{id}/resume")
    RolloutView resume(@PathVariable UUID id) {
        return rollouts.resume(id);
    }

    @PostMapping("/api/v1/rollouts/{id}/rollback")
    RolloutView rollback(@PathVariable UUID id,
            @RequestBody(required = false) RolloutService.RollbackRequest request) {
        return rollouts.rollBack(id, request);
    }

    /**
     * Answers with the rollout as it now is, or, when the gateway sends {@code Prefer: return=minimal}
     * (RFC 7240), with 204 and no body: a gateway reporting every few seconds rarely reads the answer,
     * and building it costs more than storing the report.
     */
    @PostMapping("/api/v1/rollouts/{id}/health")
    ResponseEntity<RolloutView> health(@PathVariable UUID id, @RequestBody HealthReport report,
            @RequestHeader(value = "Prefer", required = false) String prefer) {
        if (prefer != null && prefer.toLowerCase(java.util.Locale.ROOT).contains("return=minimal")) {
            health.store(id, report);
            return ResponseEntity.noContent().header("Preference-Applied", "return=minimal").build();
        }
        return ResponseEntity.ok(health.record(id, report));
    }

    /**
     * Many canaries' reports at once, as a gateway serving many tiers sends them each interval: one
     * request instead of one per rollout. 200 with each entry's outcome; 400 naming the first bad entry,
     * with nothing stored.
     */
    @PostMapping("/api/v1/rollouts/health")
    HealthBatch.Result healthBatch(@RequestBody HealthBatch batch) {
        return health.storeAll(batch);
    }
}
