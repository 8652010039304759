package io.qreg.registry.deployment;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * {@code GET /api/v1/deployments/{name}}: the deployment, and every backend that serves its traffic
 * without a valid approval (an incident; empty when all is well).
 */
public record DeploymentDetails(@JsonUnwrapped DeploymentView deployment,
        List<ServingIncident> servingWithoutValidApproval) {
}
