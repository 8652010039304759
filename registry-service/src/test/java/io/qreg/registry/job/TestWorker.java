package io.qreg.registry.job;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;

/** The worker side of docs/worker-protocol.md as plain HTTP calls: what the daemon does, without the engine loop. */
public final class TestWorker {

    public final HttpApi api;
    public final String id;

    private TestWorker(HttpApi api, String id) {
        this.api = api;
        this.id = id;
    }

    public static TestWorker register(HttpApi api, Map<String, String> labels, List<String> flags) {
        Map<String, Object> profile = new HashMap<>();
        profile.put("os", "Linux 6.1");
        profile.put("arch", "amd64");
        profile.put("cpuModel", "Test CPU");
        profile.put("cores", 2);
        profile.put("memoryBytes", 8_000_000_000L);
        profile.put("flags", flags);
        profile.put("onnxRuntimeVersion", "1.23.2");
        profile.put("executionProviders", List.of("CPU"));
        profile.put("engineVersion", "0.1.0-SNAPSHOT");
        var reply = api.post("/api/v1/workers/register", Map.of("name", "test-" + UUID.randomUUID(),
                "labels", labels, "concurrency", 1, "hardwareProfile", profile));
        if (reply.status() != 201) {
            throw new IllegalStateException("register: " + reply.status() + " " + reply.body());
        }
        return new TestWorker(api, reply.json().get("id").asString());
    }

    public HttpApi.Reply claim(String wait) {
        return api.post("/api/v1/workers/" + id + "/claim?wait=" + wait, "");
    }

    public HttpApi.Reply deregister() {
        return api.post("/api/v1/workers/" + id + "/deregister", "");
    }

    public HttpApi.Reply heartbeat(String jobId, int attempt, double progress, String message) {
        return api.post("/api/v1/jobs/" + jobId + "/heartbeat",
                Map.of("workerId", id, "attempt", attempt, "progress", progress, "message", message));
    }

    public HttpApi.Reply result(String jobId, int attempt, String status, Map<String, Object> extra, byte[] file) {
        Map<String, Object> result = new HashMap<>(extra);
        result.put("workerId", id);
        result.put("attempt", attempt);
        result.put("status", status);
        String boundary = "qreg-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"result\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + HttpApi.JSON.writeValueAsString(result) + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        if (file != null) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\";"
                    + " filename=\"model.onnx\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            body.writeBytes(file);
            body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return api.send(api.request("/api/v1/jobs/" + jobId + "/result")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(BodyPublishers.ofByteArray(body.toByteArray())));
    }
}
