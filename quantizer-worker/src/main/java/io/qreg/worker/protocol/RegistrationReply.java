package io.qreg.worker.protocol;

import io.qreg.worker.json.Json;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The registry's answer to register: this worker's id and the lease timing it asks for (absent: the worker's
 * defaults). The registry writes it and the worker reads it. {@code heartbeatSeconds} is a decimal so that a
 * registry may ask for a fraction of a second and a whole number still travels as one ({@code 10}, not
 * {@code 10.0}).
 */
public record RegistrationReply(String id, Long leaseSeconds, BigDecimal heartbeatSeconds) {

    /** @throws ProtocolException naming the member */
    public static RegistrationReply fromJson(Map<String, Object> json) {
        return ProtocolException.reading("registration", () -> {
            Number lease = Json.number(json, "leaseSeconds");
            Number heartbeat = Json.number(json, "heartbeatSeconds");
            return new RegistrationReply(Json.requiredString(json, "id"), lease == null ? null : lease.longValue(),
                    heartbeat == null ? null : new BigDecimal(heartbeat.toString()));
        });
    }
}
