package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import lombok.RequiredArgsConstructor;

/** A real HTTP client for the API, the way CI scripts call it: JSON in, JSON out, bearer token. */
@RequiredArgsConstructor
public final class HttpApi {

    public static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final String token;

    public HttpApi as(String otherToken) {
        return new HttpApi(baseUrl, otherToken);
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** A response with its body parsed as JSON when it is JSON. */
    public record Reply(int status, String contentType, String body, HttpResponse<String> raw) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public boolean isProblem() {
            return contentType != null && contentType.startsWith("application/problem+json");
        }
    }

    public Reply get(String path) {
        return send(request(path).GET());
    }

    public Reply delete(String path) {
        return send(request(path).DELETE());
    }

    public Reply post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body))));
    }

    /** A POST with extra request headers, e.g. {@code Prefer: return=minimal}. */
    public Reply post(String path, Object body, Map<String, String> headers) {
        HttpRequest.Builder builder = request(path).header("Content-Type", "application/json");
        headers.forEach(builder::header);
        return send(builder.POST(BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    public Reply put(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body))));
    }

    public Reply patch(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body))));
    }

    public Reply method(String method, String path) {
        return send(request(path).header("Content-Type", "application/json")
                .method(method, BodyPublishers.ofString("{}")));
    }

    /** A multipart upload whose file part is streamed from disk. */
    public Reply upload(String path, Object metadata, Path file, String filename) {
        try {
            Multipart body = Multipart.of(metadata == null ? null : JSON.writeValueAsString(metadata), file, filename);
            return send(request(path).header("Content-Type", body.contentType()).POST(body.publisher()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Reply upload(String path, Object metadata, byte[] file, String filename) {
        Multipart body = Multipart.of(metadata == null ? null : JSON.writeValueAsString(metadata), file, filename);
        return send(request(path).header("Content-Type", body.contentType()).POST(body.publisher()));
    }

    public HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofMinutes(5));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    public Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                    response.body(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public HttpClient client() {
        return client;
    }

    /** A multipart/form-data body with a {@code metadata} JSON part and a {@code file} part. */
    public record Multipart(String boundary, byte[] head, BodyPublisher file, byte[] tail) {

        static Multipart of(String metadataJson, Path file, String filename) throws IOException {
            String boundary = "qreg-" + UUID.randomUUID();
            return new Multipart(boundary, head(boundary, metadataJson, filename), BodyPublishers.ofFile(file),
                    tail(boundary));
        }

        static Multipart of(String metadataJson, byte[] file, String filename) {
            String boundary = "qreg-" + UUID.randomUUID();
            return new Multipart(boundary, head(boundary, metadataJson, filename), BodyPublishers.ofByteArray(file),
                    tail(boundary));
        }

        public static byte[] head(String boundary, String metadataJson, String filename) {
            StringBuilder head = new StringBuilder();
            if (metadataJson != null) {
                head.append("--").append(boundary).append("\r\n")
                        .append("Content-Disposition: form-data; name=\"metadata\"\r\n")
                        .append("Content-Type: application/json\r\n\r\n")
                        .append(metadataJson).append("\r\n");
            }
            head.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"file\"; filename=\"").append(filename).append("\"\r\n")
                    .append("Content-Type: application/octet-stream\r\n\r\n");
            return head.toString().getBytes(StandardCharsets.UTF_8);
        }

        public static byte[] tail(String boundary) {
            return ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        }

        public String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        public BodyPublisher publisher() {
            return BodyPublishers.concat(BodyPublishers.ofByteArray(head), file, BodyPublishers.ofByteArray(tail));
        }
    }
}
