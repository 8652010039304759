package io.qreg.worker.protocol;

import io.qreg.worker.json.RecordJson;
import java.util.Map;

/**
 * The register call's body (docs/worker-protocol.md, "Register"): who the worker is and what it runs on. The worker
 * sends it and the registry reads it; {@code concurrency} absent means one job at a time.
 */
public record RegistrationRequest(String name, Map<String, String> labels, Integer concurrency,
        Map<String, Object> hardwareProfile) {

    public Map<String, Object> toJson() {
        return RecordJson.members(this);
    }
}
