package io.qreg.worker.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/** The register call's body (docs/worker-protocol.md, "Register"): who the worker is and what it runs on. */
public record RegistrationRequest(String name, Map<String, String> labels, int concurrency,
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
