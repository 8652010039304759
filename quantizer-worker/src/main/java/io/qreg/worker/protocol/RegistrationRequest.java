package io.qreg.worker.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The register call's body (docs/worker-protocol.md, "Register"): who the worker is and what it runs on. The worker
 * sends it and the registry reads it; {@code concurrency} absent means one job at a time.
 */
public record RegistrationRequest(String name, Map<String, String> labels, Integer concurrency,
        Map<String, Object> hardwareProfile) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("labels", labels);
        json.put("concurrency", concurrency);
        json.put("hardwareProfile", hardwareProfile);
        return json;
    }
}
