package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.demo.DemoData;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/**
 * QREG_DEMO's seeding against the shared registry with a real worker (the same daemon the embedded
 * worker runs, real ONNX Runtime): the example models, their jobs and variants with evidence, the
 * demo people and the approval requests appear, and seeding again adds nothing.
 */
class DemoDataIT extends IntegrationTest {

    @Autowired
    private DemoData demo;

    @TempDir
    private Path workDir;

    private String workerToken() {
        String username = unique("demo-worker");
        assertThat(admin().post("/api/v1/users", Map.of("username", username, "roles", List.of("WORKER"))).status())
                .isEqualTo(201);
        return admin().post("/api/v1/tokens", Map.of("name", "demo-it", "username", username)).json().get("token")
                .asString();
    }

    private long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }

    @Test
    void seedingRegistersQuantizesAndOpensApprovalsOnceAndOnlyOnce() throws Exception {
        // Jobs other tests left queued would be this worker's to run first.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
        WorkerDaemon worker = WorkerDaemon.start(WorkerConfig.of(URI.create("http://localhost:" + port),
                workerToken()).withName("demo-it").withWorkDir(workDir).withClaimWait(Duration.ofSeconds(2))
                .withBenchmark(20, 2));
        try {
            Instant started = Instant.now();
            DemoData.Seeded seeded = demo.seed();
            Duration took = Duration.between(started, Instant.now());
            assertThat(took).as("a newcomer waits about a minute at most").isLessThan(Duration.ofSeconds(90));

            HttpApi api = admin();
            assertThat(api.get("/api/v1/models/" + DemoData.DIGITS).json().get("riskTier").asString())
                    .isEqualTo("standard");
            assertThat(api.get("/api/v1/models/" + DemoData.BYTELM).json().get("task").asString())
                    .isEqualTo("language-model");

            assertThat(seeded.quantizeJobs()).hasSize(7);
            for (UUID id : seeded.quantizeJobs().values()) {
                JsonNode job = api.get("/api/v1/jobs/" + id).json();
                assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED");
                assertThat(job.get("followUpJobIds")).hasSize(2);
                for (JsonNode followUp : job.get("followUpJobIds")) {
                    JsonNode done = api.get("/api/v1/jobs/" + followUp.asString()).json();
                    assertThat(done.get("status").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
                }
            }
            JsonNode digits = api.get("/api/v1/models/" + DemoData.DIGITS + "/variants").json().get("items");
            JsonNode bytelm = api.get("/api/v1/models/" + DemoData.BYTELM + "/variants").json().get("items");
            assertThat(digits).hasSize(4);
            assertThat(bytelm).hasSize(3);
            // The GPTQ variant sits beside the RTN one, and its lineage names the algorithm.
            List<String> algorithms = new ArrayList<>();
            for (JsonNode v : bytelm) {
                JsonNode lineage = api.get("/api/v1/variants/" + v.get("id").asString()).json().get("lineage");
                algorithms.add(lineage.get("recipe").path("algorithm").asString("none"));
            }
            assertThat(algorithms).containsExactlyInAnyOrder("none", "rtn", "gptq");
            List<String> methods = new ArrayList<>();
            digits.forEach(v -> methods.add(v.get("method").asString()));
            assertThat(methods).containsExactlyInAnyOrder("int8-dynamic", "fp16", "int4-weight", "int8-static");
            JsonNode variant = api.get("/api/v1/variants/" + bytelm.get(0).get("id").asString()).json();
            assertThat(variant.get("evaluations").get(0).get("metrics").has("perplexity")).isTrue();
            assertThat(variant.get("benchmarks").get(0).get("speedup").asDouble()).isPositive();
            assertThat(variant.get("lineage").get("recipe").get("name").asString()).startsWith("demo-");

            assertThat(seeded.approvals()).hasSize(3);
            List<String> statuses = new ArrayList<>();
            for (UUID id : seeded.approvals()) {
                JsonNode approval = api.get("/api/v1/approvals/" + id).json();
                statuses.add(approval.get("status").asString());
                assertThat(approval.get("requestedBy").asString()).isEqualTo(DemoData.ENGINEER.username());
                assertThat(approval.get("deployment").asString()).isEqualTo(DemoData.DEPLOYMENT);
            }
            assertThat(statuses).containsExactlyInAnyOrder("PENDING", "APPROVED", "PENDING");
            // The demo's aliases: champion is the stable FP32 checkpoint, challenger the approved variant, whose
            // canary was started by naming the alias.
            JsonNode digitsModel = api.get("/api/v1/models/" + DemoData.DIGITS).json();
            List<String> aliases = new ArrayList<>();
            digitsModel.get("aliases").forEach(a -> aliases.add(a.get("alias").asString()));
            assertThat(aliases).containsExactly("challenger", "champion");
            assertThat(digitsModel.get("tags").get("team").asString()).isEqualTo("demo");
            JsonNode canary = api.get("/api/v1/audit?action=rollout.started&size=200").json().get("items");
            List<String> startedByAlias = new ArrayList<>();
            canary.forEach(e -> {
                if (e.get("details").asString().contains("\"alias\":\"challenger\"")) {
                    startedByAlias.add(e.get("subjectId").asString());
                }
            });
            assertThat(startedByAlias).hasSize(1);
            long aliasEvents = count("select count(*) from audit_event where action like 'alias.%'");

            // The first variant is reproduced on the worker, byte for byte, and its page says so.
            String first = api.get("/api/v1/jobs/" + seeded.quantizeJobs().values().iterator().next()).json()
                    .get("variantId").asString();
            JsonNode reproductions = io.qreg.registry.support.Eventually.eventually(Duration.ofMinutes(2),
                    () -> api.get("/api/v1/variants/" + first + "/reproductions").json(), r -> r.size() == 1,
                    "the demo's reproduction of variant " + first);
            assertThat(reproductions.get(0).get("identical").asBoolean()).isTrue();
            assertThat(reproductions.get(0).get("workerName").asString()).isEqualTo("demo-it");

            // The sandbox dev: the int8 variant serves the default tier with the checkpoint as its fallback, at the
            // threshold the variant's measured curve gives for the tier's 5% of traffic.
            JsonNode devFallback = null;
            for (JsonNode rule : api.get("/api/v1/routing/" + DemoData.DEPLOYMENT + "?environment=dev").json()
                    .get("rules")) {
                if (rule.get("name").asString().equals("default")) {
                    devFallback = rule.get("fallback");
                }
            }
            assertThat(devFallback).as("the dev default rule's fallback").isNotNull();
            assertThat(devFallback.get("threshold").isNumber()).as(devFallback.toString()).isTrue();
            assertThat(devFallback.get("expectedTraffic").asDouble()).isLessThanOrEqualTo(0.05);
            assertThat(devFallback.get("operatingPoint").get("maxTraffic").asDouble()).isEqualTo(0.05);

            // The documented people sign in with the documented passwords.
            for (DemoData.Persona p : List.of(DemoData.ENGINEER, DemoData.APPROVER, DemoData.RISK_OFFICER,
                    DemoData.VIEWER)) {
                assertThat(me(p)).as(p.username()).contains("\"username\":\"" + p.username() + "\"",
                        p.role().name());
            }

            long jobs = count("select count(*) from job");
            long versions = count("select count(*) from dataset where name like ?", DemoData.DIGITS + "-%")
                    + count("select count(*) from dataset where name like ?", DemoData.BYTELM + "-%");
            long recipeVersions = count("select count(*) from recipe where name like 'demo-%'");
            long approvals = count("select count(*) from approval where deployment = ?", DemoData.DEPLOYMENT);
            long checkpoints = count("select count(*) from checkpoint c join model m on m.id = c.model_id"
                    + " where m.name in (?, ?)", DemoData.DIGITS, DemoData.BYTELM);
            long users = count("select count(*) from app_user where username like 'demo-%'");

            DemoData.Seeded again = demo.seed();
            assertThat(again).isEqualTo(seeded);
            assertThat(count("select count(*) from audit_event where action like 'alias.%'")).isEqualTo(aliasEvents);
            assertThat(count("select count(*) from job")).isEqualTo(jobs);
            assertThat(versions).isEqualTo(4);
            assertThat(count("select count(*) from dataset where name like ?", DemoData.DIGITS + "-%")
                    + count("select count(*) from dataset where name like ?", DemoData.BYTELM + "-%"))
                    .isEqualTo(versions);
            assertThat(recipeVersions).isEqualTo(5);
            assertThat(count("select count(*) from recipe where name like 'demo-%'")).isEqualTo(recipeVersions);
            // The three requests for variants, and the approval of the FP32 checkpoint that serves as stable.
            assertThat(count("select count(*) from approval where deployment = ?", DemoData.DEPLOYMENT))
                    .isEqualTo(approvals).isEqualTo(4);
            assertThat(count("select count(*) from approval where deployment = ? and checkpoint_id is not null"
                    + " and status = 'APPROVED'", DemoData.DEPLOYMENT)).isEqualTo(1);
            assertThat(count("select count(*) from evaluation e join checkpoint c on c.id = e.checkpoint_id"
                    + " join model m on m.id = c.model_id where m.name = ?", DemoData.DIGITS)).isEqualTo(1);
            assertThat(checkpoints).isEqualTo(2);
            assertThat(count("select count(*) from checkpoint c join model m on m.id = c.model_id"
                    + " where m.name in (?, ?)", DemoData.DIGITS, DemoData.BYTELM)).isEqualTo(checkpoints);
            assertThat(count("select count(*) from app_user where username like 'demo-%'")).isEqualTo(users);
        } finally {
            worker.stop(Duration.ofSeconds(10));
            // A claim the daemon gave up on still waits on the server for up to its claim wait and would
            // take the next test's job: let it lapse before the next test class starts.
            Thread.sleep(2_500);
        }
    }

    /** GET /api/v1/me with HTTP Basic, the way a person with only a password uses the API. */
    private String me(DemoData.Persona p) throws Exception {
        String basic = Base64.getEncoder().encodeToString((p.username() + ":" + p.password())
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/api/v1/me")).header("Authorization", "Basic " + basic)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
