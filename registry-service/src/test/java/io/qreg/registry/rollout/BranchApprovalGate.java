package io.qreg.registry.rollout;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.qreg.registry.approval.ApprovalGate;
import io.qreg.registry.approval.ApprovedDecision;
import io.qreg.registry.support.CanonicalJson;
import io.qreg.registry.web.ApiException;

import org.springframework.stereotype.Component;

/**
 * TEMPORARY, test-only: stands in for the approval feature's {@link ApprovalGate}, which is built
 * on another branch. Delete it when that implementation is merged. It accepts the approval ids a
 * test registered for exactly one (variant, deployment, environment, tier) and refuses others with
 * 409, as the real gate does for an approval that is not APPROVED.
 */
@Component
public class BranchApprovalGate implements ApprovalGate {

    private record Target(UUID variantId, String deployment, String environment, String tier) {
    }

    private static final Map<UUID, Target> APPROVED = new ConcurrentHashMap<>();
    private static final Map<UUID, List<String>> SIGNERS = new ConcurrentHashMap<>();

    /** Registers an approval as APPROVED by {@code signers}; returns its id. */
    public static UUID approve(String variantId, String deployment, String environment, String tier,
            String... signers) {
        UUID id = UUID.randomUUID();
        APPROVED.put(id, new Target(UUID.fromString(variantId), deployment, environment, tier));
        SIGNERS.put(id, List.of(signers));
        return id;
    }

    /** The approval stops being valid, as when its evidence changed and it became VOID. */
    public static void voidApproval(UUID id) {
        APPROVED.remove(id);
    }

    @Override
    public ApprovedDecision requireApproved(UUID approvalId, UUID variantId, String deployment, String environment,
            String tier) {
        Target target = APPROVED.get(approvalId);
        if (target == null) {
            throw ApiException.conflict("approval " + approvalId + " is not APPROVED");
        }
        if (!target.equals(new Target(variantId, deployment, environment, tier))) {
            throw ApiException.conflict("approval " + approvalId + " is for " + target + ", not for variant "
                    + variantId + " in " + deployment + "/" + environment + "/" + tier);
        }
        return new ApprovedDecision(approvalId, SIGNERS.get(approvalId), CanonicalJson.sha256(target));
    }
}
