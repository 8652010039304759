package io.qreg.registry.rollout;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.qreg.registry.deployment.CanaryMetric;
import io.qreg.registry.support.CanonicalJson;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

import tools.jackson.databind.JsonNode;

import lombok.RequiredArgsConstructor;

/**
 * Runs deployments' canary metrics as Prometheus instant queries ({@code GET /api/v1/query}) at
 * the end of each due interval, all of a tick's queries at once. Off (no readings at all) while
 * {@code qreg.prometheus.url} (QREG_PROMETHEUS_URL) is blank; the property is read at every tick,
 * so a changed property source (an operator's, a test's) takes effect without a restart. A query
 * that fails, times out, or does not answer exactly one finite value gives a reading without a
 * value: no data, never a pass.
 */
@Component
@RequiredArgsConstructor
class PrometheusClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    static final String URL_PROPERTY = "qreg.prometheus.url";

    private final Environment environment;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /** The server's base URL without a trailing slash, or null when none is configured. */
    private String baseUrl() {
        String url = environment.getProperty(URL_PROPERTY, "");
        return url.isBlank() ? null : url.strip().replaceAll("/+$", "");
    }

    /** Each due rollout's readings of its deployment's metrics, by rollout id (none when Prometheus is off). */
    Map<UUID, List<IntervalJudgement.Reading>> read(List<Analyses.Due> due) {
        String baseUrl = baseUrl();
        if (baseUrl == null) {
            return Map.of();
        }
        Map<UUID, List<CompletableFuture<IntervalJudgement.Reading>>> pending = new LinkedHashMap<>();
        for (Analyses.Due d : due) {
            List<CompletableFuture<IntervalJudgement.Reading>> readings = new ArrayList<>();
            for (CanaryMetric m : d.metrics()) {
                readings.add(query(baseUrl, m, m.queryFor(d.canaryCluster(), d.stableCluster()),
                        d.intervalEndsAt()));
            }
            pending.put(d.rolloutId(), readings);
        }
        Map<UUID, List<IntervalJudgement.Reading>> out = new LinkedHashMap<>();
        pending.forEach((id, futures) -> out.put(id, futures.stream().map(CompletableFuture::join).toList()));
        return out;
    }

    private CompletableFuture<IntervalJudgement.Reading> query(String baseUrl, CanaryMetric m, String promql,
            Instant at) {
        String time = at.getEpochSecond() + "." + String.format(java.util.Locale.ROOT, "%03d",
                at.getNano() / 1_000_000);
        URI uri = URI.create(baseUrl + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&time=" + time);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> reading(m, response.statusCode(), response.body()))
                .exceptionally(e -> new IntervalJudgement.Reading(m.name(), null, m.max(), m.min(),
                        "Prometheus unreachable (" + rootMessage(e) + ")"));
    }

    /** The single value of an instant query's answer (a one-sample vector or a scalar), or why there is none. */
    static IntervalJudgement.Reading reading(CanaryMetric m, int status, String body) {
        String problem;
        Double value = null;
        try {
            JsonNode answer = CanonicalJson.mapper().readTree(body);
            JsonNode data = answer.path("data");
            JsonNode result = data.path("result");
            if (status != 200 || !"success".equals(answer.path("status").asString(""))) {
                problem = "Prometheus answered " + status + ": " + answer.path("error").asString("");
            } else if ("scalar".equals(data.path("resultType").asString(""))) {
                value = number(result.path(1));
                problem = value == null ? "the result is not a number" : null;
            } else if (!result.isArray() || result.isEmpty()) {
                problem = "no result";
            } else if (result.size() > 1) {
                problem = result.size() + " series, not one (aggregate the query, e.g. with sum)";
            } else {
                value = number(result.get(0).path("value").path(1));
                problem = value == null ? "the result is not a number" : null;
            }
        } catch (RuntimeException e) {
            problem = "Prometheus answered " + status + " with a body that is not its JSON";
        }
        return new IntervalJudgement.Reading(m.name(), value, m.max(), m.min(), problem);
    }

    private static Double number(JsonNode sample) {
        try {
            double v = Double.parseDouble(sample.asString(""));
            return Double.isFinite(v) ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
}
