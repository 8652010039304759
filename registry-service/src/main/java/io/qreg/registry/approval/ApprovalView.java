package io.qreg.registry.approval;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.qreg.registry.policy.Evidence;

/**
 * An approval as the API shows it: what it approves (exactly one of {@code variantId} and
 * {@code checkpointId}), each required sign-off with who has signed towards it and how many are still
 * needed, who may not sign, the evidence it stands on now ({@code evidenceUpdatedAt}: when newer
 * evidence last replaced what it was granted on and still passed), the checks that failed if it
 * LAPSED, any override, and when a rollout first used it.
 */
public record ApprovalView(UUID id, UUID variantId, UUID checkpointId, String modelName, String deployment,
        String environment, String tier, ApprovalStatus status, String statusReason,
        List<Requirement> requiredSignoffs, List<Signoff> signoffs, List<SignoffRequirement> stillRequired,
        List<IneligibleSigner> ineligibleSigners, String evidenceDigest, Evidence evidence,
        Instant evidenceUpdatedAt, List<String> lapsedChecks, boolean verdictPassed, Override override,
        String requestedBy, Instant requestedAt, Instant expiresAt, Instant decidedAt, Instant usedAt,
        long version) {

    /** A required sign-off and how far it has got. */
    public record Requirement(String role, int count, List<String> reasons, List<String> signedBy, int remaining,
            boolean satisfied) {
    }

    /** An ADMIN's decision to open a request although the policy verdict failed. */
    public record Override(String by, String reason, List<String> failedChecks) {
    }

    static ApprovalView of(Approval a) {
        List<Requirement> required = a.required().stream().map(r -> new Requirement(r.role().name(), r.count(),
                r.reasons(), a.signedBy(r.role()), a.remaining(r), a.remaining(r) == 0)).toList();
        return new ApprovalView(a.id(), a.variantId(), a.checkpointId(), a.modelName(), a.deployment(),
                a.environment(), a.tier(), a.status(), a.statusReason(), required, a.signoffs(),
                a.status() == ApprovalStatus.PENDING ? a.outstanding() : List.of(), a.ineligible(),
                a.evidence().digest(), a.evidence(), a.evidenceUpdatedAt(), a.lapsedChecks(), a.verdictPassed(),
                a.overrideReason() == null ? null : new Override(a.requestedBy(), a.overrideReason(), a.failedChecks()),
                a.requestedBy(), a.requestedAt(), a.expiresAt(), a.decidedAt(), a.usedAt(), a.version());
    }
}
