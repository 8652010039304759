package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.util.Map;

/**
 * The registry's answer to register: this worker's id and the lease timing it asks for (absent: the worker's
 * defaults). {@code heartbeatSeconds} may be fractional.
 */
public record RegistrationReply(String id, Long leaseSeconds, Double heartbeatSeconds) {

    /** @throws ProtocolException naming the member */
    public static RegistrationReply fromJson(Map<String, Object> json) {
        return ProtocolException.reading("registration", () -> {
            Number lease = Json.number(json, "leaseSeconds");
            Number heartbeat = Json.number(json, "heartbeatSeconds");
            return new RegistrationReply(Json.requiredString(json, "id"), lease == null ? null : lease.longValue(),
                    heartbeat == null ? null : heartbeat.doubleValue());
        });
    }
}
