package io.qreg.registry.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * Canary analysis against a real Prometheus server (Debian's {@code prometheus}, started here with
 * a one-second scrape of a loopback endpoint that serves canary metrics labelled by cluster). The
 * registry's {@code qreg.prometheus.url} points at it for the duration of this class; no health
 * reports are sent: the deployment's metrics alone pass or fail each interval.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusAnalysisIT extends RolloutTestSupport {

    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final String QUERY = "max(canary_error_ratio{cluster=\"{{canary}}\"})";

    /** canary_error_ratio by cluster, as the endpoint serves it now. */
    private final Map<String, Double> errorRatio = new ConcurrentHashMap<>();
    private HttpServer exporter;
    private Process prometheus;
    private String prometheusUrl;

    @TempDir
    static Path dir;

    @BeforeAll
    void startPrometheus() throws Exception {
        if (!Files.isExecutable(PROMETHEUS)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(PROMETHEUS + " is missing: apt-get install prometheus (.ci/run does)");
            }
            Assumptions.abort(PROMETHEUS + " is missing: apt-get install prometheus");
        }
        exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", exchange -> {
            StringBuilder body = new StringBuilder("# TYPE canary_error_ratio gauge\n");
            errorRatio.forEach((cluster, value) -> body.append("canary_error_ratio{cluster=\"").append(cluster)
                    .append("\"} ").append(value).append('\n'));
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        exporter.start();
        int port = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                scrape_configs:
                  - job_name: canary
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(exporter.getAddress().getPort()));
        prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        prometheusUrl = "http://127.0.0.1:" + port;
        awaitReady();
        System.setProperty(PrometheusClient.URL_PROPERTY, prometheusUrl);
    }

    @AfterAll
    void stopPrometheus() throws InterruptedException {
        System.clearProperty(PrometheusClient.URL_PROPERTY);
        if (prometheus != null) {
            prometheus.destroy();
            prometheus.waitFor();
        }
        if (exporter != null) {
            exporter.stop(0);
        }
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(prometheus.isAlive()).as("prometheus exited: " + log()).isTrue();
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notListening) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus not ready within 30 s: " + log());
    }

    /** Waits until Prometheus has scraped the cluster's current value. */
    private void awaitScraped(String cluster) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String query = java.net.URLEncoder.encode("canary_error_ratio{cluster=\"" + cluster + "\"}",
                StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String body = http.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query=" + query))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains(cluster)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus did not scrape " + cluster + ": " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("prometheus.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A deployment judged by the error-ratio metric, its stable backend, and a candidate whose ratio is given. */
    private String[] sceneWithCandidateRatio(double ratio) throws Exception {
        Model model = model("allowed");
        String d = unique("d");
        ok(engineer().post("/api/v1/deployments", Map.of("name", d, "modelName", model.name(), "environments",
                List.of("production"), "tiers", List.of(tier("standard", "default", true)), "metrics",
                List.of(Map.of("name", "error-ratio", "query", QUERY, "max", 0.01)))), 201);
        String stable = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "standard");
        String candidate = variant(model, "int8-dynamic");
        errorRatio.put("v-" + stable, 0.002);
        errorRatio.put("v-" + candidate, ratio);
        awaitScraped("v-" + candidate);
        return new String[] {d, stable, candidate};
    }

    @Test
    void goodCanaryMetricsPassEveryIntervalAndTheRolloutCompletesByItself() throws Exception {
        String[] s = sceneWithCandidateRatio(0.001);

        String id = ok(startRollout(s[0], s[2], "production", "standard", List.of(5, 100), "analysis",
                Map.of("intervalSeconds", 1, "successfulIntervals", 2)), 201).json().get("id").asString();
        JsonNode done = awaitPhase(id, "COMPLETED");

        assertThat(weights(routing(s[0], "production"), "standard")).containsExactly(Map.entry(s[2], 100));
        List<Map<String, Object>> intervals = jdbc.queryForList("select outcome, data::text as data from"
                + " analysis_interval where rollout_id = ?::uuid and step_index = 0 order by started_at", id);
        assertThat(intervals).hasSizeGreaterThanOrEqualTo(2);
        assertThat(intervals.get(intervals.size() - 1).get("outcome")).isEqualTo("PASSED");
        assertThat((String) intervals.get(intervals.size() - 1).get("data")).contains("\"error-ratio\": 0.001",
                "\"reports\": 0");
        assertThat(done.get("phase").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void aBadCanaryMetricFailsTheIntervalAndRollsBack() throws Exception {
        String[] s = sceneWithCandidateRatio(0.2);

        String id = ok(startRollout(s[0], s[2], "production", "standard", List.of(5, 100), "analysis",
                Map.of("intervalSeconds", 1)), 201).json().get("id").asString();
        JsonNode rolledBack = awaitPhase(id, "ROLLED_BACK");

        assertThat(rolledBack.get("reason").asString()).contains("error-ratio 0.2 > max 0.01");
        assertThat(weights(routing(s[0], "production"), "standard")).containsExactly(Map.entry(s[1], 100));
        assertThat(jdbc.queryForObject("select details from audit_event where action = 'rollout.rolled-back'"
                + " and subject_id = ?", String.class, id)).contains("\"metric\":\"error-ratio\"");
    }

    @Test
    void aQueryWithoutAResultIsNoDataAndTheStepWaits() throws Exception {
        Model other = model("allowed");
        // A candidate the endpoint has no series for: the query answers an empty vector.
        String d = unique("d");
        ok(engineer().post("/api/v1/deployments", Map.of("name", d, "modelName", other.name(), "environments",
                List.of("production"), "tiers", List.of(tier("standard", "default", true)), "metrics",
                List.of(Map.of("name", "error-ratio", "query", QUERY, "max", 0.01)))), 201);
        makeStable(d, variant(other, "int8-dynamic"), "production", "standard");
        String unseen = variant(other, "int8-dynamic");

        String id = ok(startRollout(d, unseen, "production", "standard", List.of(5, 100), "analysis",
                Map.of("intervalSeconds", 1, "successfulIntervals", 1)), 201).json().get("id").asString();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        JsonNode r = ok(engineer().get("/api/v1/rollouts/" + id), 200).json();
        while (r.get("analysis").get("currentStep").get("intervals").size() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            r = ok(engineer().get("/api/v1/rollouts/" + id), 200).json();
        }

        assertThat(r.get("phase").asString()).isEqualTo("PROGRESSING");
        assertThat(r.get("stepIndex").asInt()).isZero();
        JsonNode last = r.get("analysis").get("currentStep").get("intervals").get(0);
        assertThat(last.get("outcome").asString()).isEqualTo("NO_DATA");
        assertThat(last.get("reasons").get(0).asString()).isEqualTo("no data: metric error-ratio: no result");
    }
}
