package io.qreg.registry.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

class OperationsIT extends IntegrationTest {

    @Test
    void healthAndReadinessAreUpWithoutCredentials() {
        var health = anonymous().get("/actuator/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(anonymous().get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(anonymous().get("/actuator/health/liveness").status()).isEqualTo(200);
    }

    @Test
    void prometheusMetricsNeedAnAdminToken() {
        assertThat(anonymous().get("/actuator/prometheus").status()).isIn(401, 302);
        assertThat(userWith("VIEWER").get("/actuator/prometheus").status()).isEqualTo(403);
        var metrics = admin().get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("jvm_memory_used_bytes").contains("http_server_requests");
    }

    @Test
    void openApiDocumentDescribesTheApi() {
        var docs = anonymous().get("/v3/api-docs");
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.json().get("paths").has("/api/v1/models")).isTrue();
        assertThat(docs.json().get("paths").has("/api/v1/models/{name}/checkpoints")).isTrue();
        assertThat(anonymous().get("/swagger-ui.html").status()).isIn(200, 302);
    }

    @Test
    void everyResponseCarriesARequestIdAndHonoursTheCallersOne() {
        var generated = admin().get("/api/v1/models");
        assertThat(generated.header("X-Request-Id")).isNotBlank();
        var given = admin().send(admin().request("/api/v1/models/does-not-exist").header("X-Request-Id", "ci-run-42")
                .GET());
        assertThat(given.header("X-Request-Id")).isEqualTo("ci-run-42");
        assertThat(given.status()).isEqualTo(404);
        assertThat(given.json().get("requestId").asString()).isEqualTo("ci-run-42");
    }

    @Test
    void unknownApiPathsAndBadJsonAnswerWithProblemDetails() {
        var unknown = admin().get("/api/v1/nothing-here");
        assertThat(unknown.status()).isIn(403, 404);
        assertThat(unknown.isProblem()).isTrue();

        var malformed = admin().post("/api/v1/models", "{\"name\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.isProblem()).isTrue();
        assertThat(malformed.json().get("detail").asString()).isNotBlank();

        var badPage = admin().get("/api/v1/models?size=100000");
        assertThat(badPage.status()).isEqualTo(400);
        assertThat(badPage.json().get("field").asString()).isEqualTo("size");
    }
}
