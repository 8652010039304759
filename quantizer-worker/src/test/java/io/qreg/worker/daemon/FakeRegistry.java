package io.qreg.worker.daemon;

import io.qreg.worker.json.Json;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry side of docs/worker-protocol.md, just enough to drive one worker: register, long-poll claim of queued
 * jobs, artifact downloads with {@code ETag}, heartbeats (answering normally, with a cancel, or 409) and multipart
 * results, all behind a bearer token. It records what the worker sent so tests can check it against the document.
 */
final class FakeRegistry implements AutoCloseable {

    static final String TOKEN = "worker-token-123";

    enum HeartbeatAnswer { RENEW, CANCEL, LEASE_LOST }

    record Posted(String jobId, Map<String, Object> result, String resultContentType, byte[] file,
            String fileName) {

        /** The result's {@code report} object. */
        @SuppressWarnings("unchecked")
        Map<String, Object> report() {
            return (Map<String, Object>) result.get("report");
        }
    }

    final String workerId = UUID.randomUUID().toString();
    final List<Map<String, Object>> registrations = new CopyOnWriteArrayList<>();
    final List<Map<String, Object>> heartbeats = new CopyOnWriteArrayList<>();
    final LinkedBlockingQueue<Posted> results = new LinkedBlockingQueue<>();
    final AtomicInteger claims = new AtomicInteger();
    final List<String> claimQueries = new CopyOnWriteArrayList<>();
    final List<String> unauthorized = new CopyOnWriteArrayList<>();
    volatile HeartbeatAnswer heartbeatAnswer = HeartbeatAnswer.RENEW;
    volatile int heartbeatSeconds = 1;
    /** Delays every artifact download, to catch a job mid-flight. */
    volatile long downloadDelayMillis;
    /** Answers this many result posts with 503 before accepting one. */
    final AtomicInteger failResultPosts = new AtomicInteger();
    final AtomicInteger resultPosts = new AtomicInteger();
    /** One entry per deregistration of {@link #workerId}: how many result posts had arrived before it. */
    final List<Integer> deregisteredAfterResults = new CopyOnWriteArrayList<>();

    private final HttpServer server;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Deque<Map<String, Object>> queue = new ArrayDeque<>();
    private final Map<String, byte[]> artifacts = new ConcurrentHashMap<>();

    FakeRegistry() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-registry");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code bytes} at a content URL and returns it. */
    String artifact(String path, byte[] bytes) {
        artifacts.put(path, bytes);
        return path;
    }

    synchronized void enqueue(Map<String, Object> job) {
        queue.add(job);
    }

    @Override
    /** Stops serving; closing again (a test that closed it itself, then its tear-down) does nothing. */
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + TOKEN).equals(auth)) {
                unauthorized.add(exchange.getRequestURI().toString());
                problem(exchange, 401, "a WORKER token is required");
                return;
            }
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (method.equals("POST") && path.equals("/api/v1/workers/register")) {
                registrations.add(Json.parseObject(new String(body, StandardCharsets.UTF_8)));
                json(exchange, 201, Map.of("id", workerId, "leaseSeconds", 30, "heartbeatSeconds", heartbeatSeconds));
            } else if (method.equals("POST") && path.equals("/api/v1/workers/" + workerId + "/claim")) {
                claim(exchange);
            } else if (method.equals("POST") && path.equals("/api/v1/workers/" + workerId + "/deregister")) {
                deregisteredAfterResults.add(resultPosts.get());
                json(exchange, 200, Map.of("workerId", workerId, "stoppedAt", "2026-01-01T00:01:00Z",
                        "releasedJobIds", List.of()));
            } else if (method.equals("POST") && path.matches("/api/v1/jobs/[^/]+/heartbeat")) {
                heartbeats.add(Json.parseObject(new String(body, StandardCharsets.UTF_8)));
                switch (heartbeatAnswer) {
                    case RENEW -> json(exchange, 200, Map.of("leaseExpiresAt", "2026-01-01T00:00:30Z",
                            "cancelRequested", false));
                    case CANCEL -> json(exchange, 200, Map.of("leaseExpiresAt", "2026-01-01T00:00:30Z",
                            "cancelRequested", true));
                    case LEASE_LOST -> problem(exchange, 409, "attempt 1 no longer owns this job");
                }
            } else if (method.equals("POST") && path.matches("/api/v1/jobs/[^/]+/result")) {
                String jobId = path.split("/")[4];
                result(exchange, jobId, body);
            } else if (method.equals("GET") && artifacts.containsKey(path)) {
                byte[] bytes = artifacts.get(path);
                if (downloadDelayMillis > 0) {
                    try {
                        Thread.sleep(downloadDelayMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.getResponseHeaders().set("ETag", "\"" + sha256(bytes) + "\"");
                exchange.sendResponseHeaders(200, bytes.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            } else {
                problem(exchange, 404, "no route for " + method + " " + path);
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            throw e;
        }
    }

    private void claim(HttpExchange exchange) throws IOException {
        claims.incrementAndGet();
        claimQueries.add(exchange.getRequestURI().getQuery());
        Map<String, Object> job;
        synchronized (this) {
            job = queue.poll();
        }
        if (job != null) {
            json(exchange, 200, job);
            return;
        }
        try {
            Thread.sleep(100); // a short long-poll keeps tests quick without spinning
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(204, -1);
    }

    private void result(HttpExchange exchange, String jobId, byte[] body) throws IOException {
        String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
        if (contentType == null || !contentType.startsWith("multipart/form-data; boundary=")) {
            problem(exchange, 415, "multipart/form-data expected, got " + contentType);
            return;
        }
        resultPosts.incrementAndGet();
        if (failResultPosts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            problem(exchange, 503, "the registry is restarting");
            return;
        }
        String boundary = contentType.substring(contentType.indexOf("boundary=") + 9);
        Map<String, Part> parts = multipart(body, boundary);
        Part result = parts.get("result");
        if (result == null) {
            problem(exchange, 400, "part 'result' missing");
            return;
        }
        Map<String, Object> json = Json.parseObject(new String(result.bytes, StandardCharsets.UTF_8));
        Part file = parts.get("file");
        results.add(new Posted(jobId, json, result.contentType, file == null ? null : file.bytes,
                file == null ? null : file.fileName));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("jobId", jobId);
        answer.put("status", json.get("status"));
        answer.put("variantId", file == null ? null : "variant-1");
        json(exchange, 200, answer);
    }

    private record Part(String contentType, String fileName, byte[] bytes) {
    }

    /** A strict enough multipart/form-data reader: CRLF delimiters, Content-Disposition names, a closing delimiter. */
    static Map<String, Part> multipart(byte[] body, String boundary) {
        String text = new String(body, StandardCharsets.ISO_8859_1);
        String delimiter = "--" + boundary;
        if (!text.startsWith(delimiter + "\r\n")) {
            throw new IllegalArgumentException("multipart body does not start with the boundary");
        }
        if (!text.endsWith(delimiter + "--\r\n")) {
            throw new IllegalArgumentException("multipart body lacks the closing delimiter");
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        int pos = delimiter.length() + 2;
        while (true) {
            int headerEnd = text.indexOf("\r\n\r\n", pos);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : text.substring(pos, headerEnd).split("\r\n")) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(), line.substring(colon + 1).trim());
            }
            int next = text.indexOf("\r\n" + delimiter, headerEnd + 4);
            byte[] bytes = text.substring(headerEnd + 4, next).getBytes(StandardCharsets.ISO_8859_1);
            String disposition = headers.getOrDefault("content-disposition", "");
            String name = attribute(disposition, "name");
            parts.put(name, new Part(headers.get("content-type"), attribute(disposition, "filename"), bytes));
            pos = next + 2 + delimiter.length();
            if (text.startsWith("--", pos)) {
                return parts;
            }
            pos += 2;
        }
    }

    private static String attribute(String disposition, String key) {
        for (String piece : disposition.split(";")) {
            String p = piece.trim();
            if (p.startsWith(key + "=\"")) {
                return p.substring(key.length() + 2, p.length() - 1);
            }
        }
        return null;
    }

    private static void json(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void problem(HttpExchange exchange, int status, String detail) throws IOException {
        byte[] bytes = Json.write(Map.of("type", "about:blank", "status", status, "detail", detail))
                .getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    static String sha256(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(RegistryClient.sha256().digest(bytes));
    }

    List<Map<String, Object>> heartbeatsSnapshot() {
        return Collections.unmodifiableList(new ArrayList<>(heartbeats));
    }
}
