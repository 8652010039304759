package io.qreg.registry.rollout;

import java.util.List;
import java.util.UUID;

import io.qreg.registry.deployment.ServingAudit;
import io.qreg.registry.deployment.ServingIncident;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import lombok.RequiredArgsConstructor;

/**
 * Answers the deployment's {@link ServingAudit}: every backend serving without a valid approval, each
 * tier's stable backend and each active canary, read in one query by
 * {@link Rollouts#servingWithoutValidApproval}.
 */
@Component
@RequiredArgsConstructor
class ServingIncidents implements ServingAudit {

    private final Rollouts store;

    @Override
    @Transactional(readOnly = true)
    public List<ServingIncident> servingWithoutValidApproval(UUID deploymentId) {
        return store.servingWithoutValidApproval(deploymentId);
    }
}
