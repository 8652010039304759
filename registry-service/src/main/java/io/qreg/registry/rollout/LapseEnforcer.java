package io.qreg.registry.rollout;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import io.qreg.registry.deployment.DeploymentService;
import io.qreg.registry.deployment.ServingIncident;
import io.qreg.registry.policy.LapseAction;
import io.qreg.registry.policy.PolicyService;
import io.qreg.registry.web.ApiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * Acts on backends that serve under a lapsed approval, about once a second, like a controller loop
 * (Argo Rollouts' reconciler): a lapsed canary is rolled back, always; a lapsed stable backend is
 * replaced by the previous stable one when the model's policy says {@code onLapse: rollback}, and
 * otherwise stays an incident that the deployment, the dashboard and the {@code approval.lapsed}
 * webhook report. Because it reads the state rather than waiting for an event, a lapse recorded just
 * before a crash, or by another registry instance, is acted on all the same.
 */
@Component
@RequiredArgsConstructor
class LapseEnforcer {

    private static final Logger log = LoggerFactory.getLogger(LapseEnforcer.class);

    private final ServingIncidents incidents;
    private final RolloutService rollouts;
    private final StableReverter reverter;
    private final PolicyService policies;
    private final DeploymentService deployments;
    /** Stable backends already found un-revertable, so the log says so once, not every second. */
    private final Set<UUID> reported = new HashSet<>();

    @Scheduled(fixedDelayString = "${qreg.rollouts.lapse-check-millis:1000}", initialDelay = 1000)
    public void enforce() {
        try {
            for (ServingIncident incident : incidents.servingWithoutValidApproval(null)) {
                if (incident.approvalId() != null) {
                    act(incident);
                }
            }
        } catch (RuntimeException e) {
            log.warn("checking for lapsed approvals failed; retrying at the next tick", e);
        }
    }

    private void act(ServingIncident incident) {
        String why = "approval " + incident.approvalId() + " lapsed: " + incident.reason();
        if (TierServing.CANARY.equals(incident.role())) {
            try {
                rollouts.rollBack(incident.rolloutId(), new RolloutService.RollbackRequest(
                        why.length() > 1000 ? why.substring(0, 997) + "..." : why));
                log.warn("rolled back canary rollout {} in {}/{}/{}: {}", incident.rolloutId(), incident.deployment(),
                        incident.environment(), incident.tier(), why);
            } catch (ApiException e) {
                // Another instance, or a person, moved it first.
                log.debug("canary rollout {} was not rolled back: {}", incident.rolloutId(), e.getMessage());
            }
            return;
        }
        String model = deployments.get(incident.deployment()).modelName();
        if (policies.effectivePolicy(model).onLapse() != LapseAction.ROLLBACK) {
            return;
        }
        StableReverter.Outcome outcome = reverter.revert(incident.rolloutId(), incident.approvalId(), why);
        if (outcome.revertRolloutId() != null) {
            log.warn("returned {}/{}/{} to its previous stable backend (rollout {}): {}", incident.deployment(),
                    incident.environment(), incident.tier(), outcome.revertRolloutId(), why);
        } else if (reported.add(incident.rolloutId())) {
            log.warn("cannot return {}/{}/{} to a previous stable backend: {}; the incident stays open",
                    incident.deployment(), incident.environment(), incident.tier(), outcome.skipped());
        }
    }
}
