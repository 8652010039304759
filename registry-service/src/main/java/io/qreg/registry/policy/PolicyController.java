package io.qreg.registry.policy;

import java.util.UUID;

import io.qreg.registry.fallback.OperatingPoint;

import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import tools.jackson.databind.JsonNode;

import lombok.RequiredArgsConstructor;

/** A model's acceptance policy, and a variant's (or a checkpoint's) verdict against it, over HTTP. */
@RestController
@RequiredArgsConstructor
class PolicyController {

    private final PolicyService policies;

    @GetMapping("/api/v1/models/{name}/policy")
    EffectivePolicy get(@PathVariable String name) {
        return policies.effectivePolicy(name);
    }

    @PutMapping("/api/v1/models/{name}/policy")
    EffectivePolicy put(@PathVariable String name, @RequestBody(required = false) JsonNode body) {
        return policies.set(name, Thresholds.parse(body), LapseAction.of(body),
                OperatingPoint.parse(body == null ? null : body.get(OperatingPoint.FIELD), OperatingPoint.FIELD));
    }

    @DeleteMapping("/api/v1/models/{name}/policy")
    EffectivePolicy delete(@PathVariable String name) {
        return policies.clear(name);
    }

    @GetMapping("/api/v1/variants/{id}/verdict")
    Verdict verdict(@PathVariable UUID id) {
        return policies.verdict(id);
    }

    /** The verdict on serving the checkpoint itself, unquantized. */
    @GetMapping("/api/v1/checkpoints/{id}/verdict")
    Verdict checkpointVerdict(@PathVariable UUID id) {
        return policies.checkpointVerdict(id);
    }
}
