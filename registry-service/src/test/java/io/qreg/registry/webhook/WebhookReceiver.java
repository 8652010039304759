package io.qreg.registry.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;

/**
 * A real HTTP endpoint a webhook points at, as a CI server or chat bridge would run one: it records
 * every request (headers and exact body bytes) and answers with scripted status codes, then a fallback.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One request as it arrived. */
    record Received(String method, String path, Map<String, String> headers, byte[] body, Instant at) {

        String header(String name) {
            return headers.get(name);
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return HttpApi.JSON.readTree(body);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Deque<Integer> script;
    private final int fallback;

    private WebhookReceiver(int fallback, int... first) {
        this.fallback = fallback;
        this.script = new ArrayDeque<>();
        for (int status : first) {
            script.add(status);
        }
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** Answers {@code first} in order, then {@code fallback} to every later request. */
    static WebhookReceiver answering(int fallback, int... first) {
        return new WebhookReceiver(fallback, first);
    }

    static WebhookReceiver ok() {
        return answering(200);
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.get(0)));
        int status;
        synchronized (script) {
            Integer next = script.poll();
            status = next == null ? fallback : next;
        }
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                Collections.unmodifiableMap(headers), body, Instant.now()));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/qreg?team=ml";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits until at least {@code count} requests arrived; returns all of them. */
    List<Received> await(int count, Duration timeout) {
        return Eventually.eventually(timeout, this::received, r -> r.size() >= count,
                "a receiver waiting for " + count + " request(s)");
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
