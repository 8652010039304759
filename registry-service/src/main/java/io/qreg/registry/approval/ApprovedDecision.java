package io.qreg.registry.approval;

import java.util.List;
import java.util.UUID;

/** A valid approval as a rollout records it: who signed and the evidence they signed for. */
public record ApprovedDecision(UUID approvalId, List<String> signedBy, String evidenceDigest) {
}
