package io.qreg.worker.cli;

import io.qreg.worker.audit.AuditLeaf;
import io.qreg.worker.audit.TreeHead;
import io.qreg.worker.json.Json;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The few read-only audit endpoints an offline auditor needs (docs/security.md, "The audit log"), over
 * plain HTTP with a bearer token. Nothing it returns is trusted: the caller checks it against tree heads
 * signed by the key the auditor holds.
 */
final class AuditApiClient {

    /** Events per page when replaying the log (the API's largest page). */
    static final int PAGE_SIZE = 200;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;
    private final String token;

    AuditApiClient(String baseUrl, String token) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.token = token;
    }

    /** An event as the API lists it, with its leaf (recomputed here from its fields). */
    record Event(long seq, AuditLeaf leaf) {
    }

    /** The newest signed tree head the registry lists, if any. */
    Optional<TreeHead> newestTreeHead() throws IOException {
        List<Object> items = list(get("/api/v1/audit/checkpoints?size=1"));
        return items.isEmpty() ? Optional.empty() : Optional.of(treeHead(object(items.get(0))));
    }

    /** Up to {@link #PAGE_SIZE} events after {@code afterSeq}, oldest first. */
    List<Event> eventsAfter(long afterSeq) throws IOException {
        return list(get("/api/v1/audit?afterSeq=" + afterSeq + "&size=" + PAGE_SIZE)).stream()
                .map(item -> event(object(item))).toList();
    }

    /** RFC 6962 consistency proof from tree size {@code from} to {@code to}. */
    List<byte[]> consistencyProof(long from, long to) throws IOException {
        return hashes(get("/api/v1/audit/consistency?from=" + from + "&to=" + to).get("proof"));
    }

    /** The audit path of event {@code seq} in the tree of {@code treeSize} events. */
    List<byte[]> inclusionProof(long seq, long treeSize) throws IOException {
        return hashes(get("/api/v1/audit/events/" + seq + "/proof?treeSize=" + treeSize).get("auditPath"));
    }

    /** A tree head as the API shows it (and as an auditor saves it): treeSize, rootHash, timestamp, signature. */
    static TreeHead treeHead(Map<String, Object> json) {
        Object size = json.get("treeSize");
        if (!(size instanceof Long treeSize) || !(json.get("rootHash") instanceof String root)
                || !(json.get("timestamp") instanceof String timestamp)
                || !(json.get("signature") instanceof String signature)) {
            throw new IllegalArgumentException("a tree head needs treeSize, rootHash, timestamp and signature");
        }
        return new TreeHead(treeSize, root, Instant.parse(timestamp), signature);
    }

    private static Event event(Map<String, Object> json) {
        long seq = (Long) json.get("seq");
        return new Event(seq, new AuditLeaf(seq, UUID.fromString((String) json.get("id")),
                Instant.parse((String) json.get("occurredAt")), (String) json.get("actor"),
                (String) json.get("action"), (String) json.get("subjectType"), (String) json.get("subjectId"),
                (String) json.get("beforeDigest"), (String) json.get("afterDigest"), (String) json.get("details")));
    }

    private Map<String, Object> get(String path) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60)).header("Accept", "application/json").GET();
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " answered " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(300, response.body().length())));
        }
        return Json.parseObject(response.body());
    }

    private static List<Object> list(Map<String, Object> page) {
        if (!(page.get("items") instanceof List<?> items)) {
            throw new IllegalArgumentException("expected a page with items");
        }
        return List.copyOf(items);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value) {
        return (Map<String, Object>) value;
    }

    private static List<byte[]> hashes(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("expected a list of hashes");
        }
        return list.stream().map(h -> HexFormat.of().parseHex((String) h)).toList();
    }
}
