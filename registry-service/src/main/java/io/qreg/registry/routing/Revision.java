package io.qreg.registry.routing;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One stored revision of an environment's routing config, with its renderings made once on first
 * use: a revision never changes, so neither do its bytes or ETags.
 */
final class Revision {

    private final UUID deploymentId;
    private final String deployment;
    private final String environment;
    private final long number;
    private final Instant createdAt;
    private final Map<String, Rendered> renderings = new ConcurrentHashMap<>(4);

    Revision(UUID deploymentId, String deployment, String environment, long number, Instant createdAt,
            String body) {
        this.deploymentId = deploymentId;
        this.deployment = deployment;
        this.environment = environment;
        this.number = number;
        this.createdAt = createdAt;
        renderings.put(RoutingFormats.QREG, Rendered.of(body));
    }

    Rendered rendered(String format) {
        Rendered r = renderings.get(format);
        return r != null ? r : renderings.computeIfAbsent(format, f -> Rendered.of(RoutingFormats.render(f, body())));
    }

    String body() {
        return renderings.get(RoutingFormats.QREG).text();
    }

    UUID deploymentId() {
        return deploymentId;
    }

    String deployment() {
        return deployment;
    }

    String environment() {
        return environment;
    }

    long number() {
        return number;
    }

    Instant createdAt() {
        return createdAt;
    }
}
