package io.qreg.registry.deployment;

import java.util.List;
import java.util.UUID;

/** Published inside the creating transaction, so the routing config's first revisions commit with the deployment. */
public record DeploymentCreated(UUID deploymentId, String deployment, List<String> environments) {
}
