package io.qreg.worker.protocol;

import io.qreg.worker.json.RecordJson;
import java.util.Map;

/**
 * The heartbeat's body (docs/worker-protocol.md, "Heartbeat"): which attempt of which worker is alive, how far it is
 * and what it does. Boxed, so the registry can refuse a missing {@code attempt} by name.
 */
public record HeartbeatRequest(String workerId, Integer attempt, Double progress, String message) {

    public Map<String, Object> toJson() {
        return RecordJson.members(this);
    }
}
