package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.time.Instant;
import java.util.Map;

/** The registry's answer to a heartbeat: the lease is renewed; {@code cancelRequested} means stop and report CANCELLED. */
public record HeartbeatReply(Instant leaseExpiresAt, boolean cancelRequested) {

    /** An empty body reads as a renewed lease without a cancel request. */
    public static HeartbeatReply fromJson(Map<String, Object> json) {
        String expires = ProtocolException.reading("heartbeat", () -> Json.string(json, "leaseExpiresAt"));
        Boolean cancel = ProtocolException.reading("heartbeat", () -> Json.bool(json, "cancelRequested"));
        try {
            return new HeartbeatReply(expires == null ? null : Instant.parse(expires), Boolean.TRUE.equals(cancel));
        } catch (java.time.format.DateTimeParseException e) {
            throw new ProtocolException("leaseExpiresAt", "heartbeat: \"leaseExpiresAt\" should be an ISO-8601 instant,"
                    + " got \"" + expires + "\"");
        }
    }
}
