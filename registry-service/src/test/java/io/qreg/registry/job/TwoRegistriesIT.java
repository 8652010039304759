package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two registry instances on one PostgreSQL, workers long-polling both: the queue's row locks, not
 * any one process's memory, decide who gets a job, so no job is ever handed out twice.
 */
class TwoRegistriesIT {

    private static final int JOBS = 60;
    private static final int WORKERS_PER_REGISTRY = 4;

    @TempDir
    Path dir;

    @Test
    void noJobIsEverClaimedTwiceAcrossInstances() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(true).start()) {
            Map<String, String> shared = Map.of(
                    "QREG_DB_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                    "QREG_DB_USER", "postgres", "QREG_DB_PASSWORD", "");
            try (RegistryProcess a = RegistryProcess.start(dir.resolve("a"), "512m", shared);
                 RegistryProcess b = RegistryProcess.start(dir.resolve("b"), "512m", shared)) {
                HttpApi adminA = a.api(IntegrationTest.ADMIN_TOKEN);
                HttpApi adminB = b.api(IntegrationTest.ADMIN_TOKEN);
                assertThat(adminB.get("/api/v1/me").status()).as("one bootstrap admin for both").isEqualTo(200);

                adminA.post("/api/v1/models", Map.of("name", "shared", "task", "classification"));
                String checkpointId = adminA.upload("/api/v1/models/shared/checkpoints",
                        Map.of("version", "1", "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"), "m.onnx")
                        .json().get("id").asString();
                adminB.post("/api/v1/recipes", Map.of("name", "int8", "method", "int8-dynamic"));
                adminA.post("/api/v1/users", Map.of("username", "claimer", "roles", List.of("WORKER")));
                String token = adminA.post("/api/v1/tokens", Map.of("name", "claimers", "username", "claimer"))
                        .json().get("token").asString();

                Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
                AtomicInteger finished = new AtomicInteger();
                ExecutorService pool = Executors.newFixedThreadPool(2 * WORKERS_PER_REGISTRY);
                List<Future<?>> loops = new ArrayList<>();
                for (int i = 0; i < 2 * WORKERS_PER_REGISTRY; i++) {
                    HttpApi api = (i % 2 == 0 ? adminA : adminB).as(token);
                    loops.add(pool.submit(() -> claimUntilAllDone(api, claims, finished)));
                }
                // Submitted through both instances while the workers are already polling.
                for (int i = 0; i < JOBS; i++) {
                    HttpApi api = i % 2 == 0 ? adminA : adminB;
                    var reply = api.post("/api/v1/jobs", Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                            "recipe", Map.of("name", "int8", "version", 1), "maxAttempts", 1));
                    assertThat(reply.status()).as(reply.body()).isEqualTo(202);
                }
                for (Future<?> loop : loops) {
                    loop.get(3, TimeUnit.MINUTES);
                }
                pool.shutdownNow();

                assertThat(claims).hasSize(JOBS);
                assertThat(claims.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
            }
        }
    }

    /** A worker: claim, and end each job at once (the queue is under test, not the engine). */
    private static void claimUntilAllDone(HttpApi api, Map<String, AtomicInteger> claims, AtomicInteger finished) {
        TestWorker worker = TestWorker.register(api, Map.of(), List.of("avx2"));
        while (finished.get() < JOBS) {
            var claim = worker.claim("500ms");
            if (claim.status() == 204) {
                continue;
            }
            assertThat(claim.status()).as(claim.body()).isEqualTo(200);
            String jobId = claim.json().get("id").asString();
            int attempt = claim.json().get("attempt").asInt();
            claims.computeIfAbsent(jobId, id -> new AtomicInteger()).incrementAndGet();
            var result = worker.result(jobId, attempt, "FAILED",
                    Map.of("error", "ended by the test", "retryable", false), null);
            assertThat(result.status()).as(result.body()).isEqualTo(200);
            finished.incrementAndGet();
        }
    }
}
