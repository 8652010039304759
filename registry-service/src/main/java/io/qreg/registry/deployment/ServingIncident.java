package io.qreg.registry.deployment;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A backend serving traffic without a valid approval: the tier's stable backend or its canary
 * ({@code role}: {@code stable} or {@code canary}, as the routing config names them), whose approval LAPSED (or was voided), or which serves in an environment that needs
 * an approval without one (a rollout started before checkpoints needed approvals). {@code since} is
 * when the approval lapsed, or when the rollout last moved.
 */
public record ServingIncident(String deployment, String environment, String tier, String role,
        Map<String, Object> backend, UUID rolloutId, UUID approvalId, String approvalStatus, String reason,
        List<String> failedChecks, Instant since) {

    public ServingIncident {
        failedChecks = failedChecks == null ? List.of() : List.copyOf(failedChecks);
    }

    /** Whether the backend is the variant, or the checkpoint, with this id. */
    public boolean serves(UUID id) {
        return id != null && id.toString().equals(String.valueOf(backend.get("id")));
    }
}
