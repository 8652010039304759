package io.qreg.registry.routing;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the routing API answers besides the routing documents themselves. */
public final class RoutingViews {

    private RoutingViews() {
    }

    /** One revision in a list, newest first. */
    public record RevisionEntry(long revision, String etag, Instant generatedAt) {
    }

    /** {@code POST /api/v1/routing/{deployment}/ack}; {@code gateway} defaults to the caller's account. */
    public record AckRequest(String environment, Long revision, String gateway) {
    }

    /** A gateway and the revision it last said it applied. */
    public record GatewayView(String gateway, long revision, Instant ackedAt, String ackedBy, boolean behind,
            long revisionsBehind) {
    }

    public record GatewaysView(String deployment, String environment, long currentRevision,
            List<GatewayView> gateways) {
    }

    /** Which backends served a tier at a time, from the revision gateways were given then. */
    public record HistoryView(String deployment, Instant at, List<HistoryEntry> entries) {
    }

    /** {@code revision} is null when the environment had no routing config yet at that time. */
    public record HistoryEntry(String environment, String tier, Long revision, Instant revisionGeneratedAt,
            List<ServedBackend> backends) {
    }

    /**
     * A backend with its share then, and the rollout that put it there with its approval and the
     * people who signed it (as the approval gate reported them at the rollout's last step).
     */
    public record ServedBackend(String variant, String source, String precision, int weight, String role,
            String sha256, UUID rolloutId, UUID approvalId, List<String> signedBy) {
    }
}
