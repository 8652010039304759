package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.audit.AuditLog;
import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Portal page latency at scale (issue 6): 10,000 variants, each with an evaluation and a benchmark,
 * and 100,000 audit events in the embedded PostgreSQL, then every page fetched by a signed-in
 * person over real HTTP, one request at a time: p50, p95 and max per page, target p95 < 300 ms.
 *
 * <p>One variant is made through the worker protocol; the other 9,999 are copies of its rows made
 * in SQL (their jobs, evaluations and benchmarks too), so the data has the shape real use leaves.
 * The audit events go through {@link AuditLog}, so the hash chain is real and the chain check on
 * the audit page walks all of it. Runs only with {@code ./mvnw -Pbench -pl registry-service -am verify}
 * ({@code bench/portal-pages.sh}).
 */
class PortalPagesBenchmark extends IntegrationTest {

    private static final int MODELS = 20;
    private static final int VARIANTS = 10_000;
    private static final int AUDIT_EVENTS = 100_000;
    private static final int WARMUP = 5;
    private static final int SAMPLES = 40;
    private static final double TARGET_P95_MS = 300;
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    @Autowired
    AuditLog audit;

    @Autowired
    TransactionTemplate transaction;

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void everyPageAnswersWithinTheTargetAtScale() throws Exception {
        long seedStart = System.nanoTime();
        HttpApi engineer = userWith("ENGINEER");
        VariantMaker maker = new VariantMaker(admin(), userWith("WORKER"), jdbc);
        List<String> models = new ArrayList<>();
        for (int i = 0; i < MODELS; i++) {
            String model = maker.model(engineer, "classification", "standard");
            admin().put("/api/v1/models/" + model + "/policy", Map.of());
            models.add(model);
        }
        String template = maker.quantize(engineer, models.get(0), "int8-dynamic");
        maker.evaluate(engineer, template, VariantMaker.classification(0.975, 0.978, 0.99, -0.01, 0.0, 0.004));
        maker.benchmark(engineer, template, "any", 1.4, 2.5, 3_000_000);
        copyVariant(template, models, VARIANTS - 1);
        long variants = jdbc.queryForObject("select count(*) from variant", Long.class);

        // Governance data the approval and deployment pages show.
        String big = models.get(0);
        ok(engineer.post("/api/v1/deployments", Map.of("name", big, "modelName", big, "environments",
                List.of("staging", "production"), "tiers", List.of(Map.of("name", "premium"),
                        Map.of("name", "standard", "default", true)))), 201);
        List<String> sample = jdbc.queryForList("select v.id::text from variant v join model m on m.id = v.model_id"
                + " where m.name = ? order by v.created_at desc limit 20", String.class, big);
        List<String> approvals = new ArrayList<>();
        for (String variant : sample) {
            approvals.add(ok(engineer.post("/api/v1/approvals", Map.of("variantId", variant, "deployment", big,
                    "environment", "production", "tier", "standard")), 201).json().get("id").asString());
        }
        HttpApi approver = userWith("APPROVER");
        ok(approver.post("/api/v1/approvals/" + approvals.get(0) + "/signoffs",
                Map.of("decision", "APPROVE", "comment", "seeded")), 200);
        ok(engineer.post("/api/v1/deployments/" + big + "/rollouts", Map.of("variantId", sample.get(0),
                "environment", "production", "tier", "standard", "steps", List.of(100),
                "approvalId", approvals.get(0))), 201);

        seedAuditEvents(AUDIT_EVENTS - jdbc.queryForObject("select count(*) from audit_event", Integer.class));
        long events = jdbc.queryForObject("select count(*) from audit_event", Long.class);
        double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
        jdbc.execute("analyze");

        String jobId = jdbc.queryForObject("select id::text from job order by created_at desc limit 1", String.class);
        String password = "bench-password-1";
        String admin = unique("bench-admin");
        ok(admin().post("/api/v1/users", Map.of("username", admin, "password", password, "roles",
                List.of("ADMIN", "APPROVER"))), 201);
        logIn(admin, password);

        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("dashboard", "/");
        pages.put("models", "/models");
        pages.put("models (search)", "/models?q=" + big.substring(0, 6));
        pages.put("model page (" + VARIANTS / MODELS + " variants)", "/models/" + big);
        pages.put("compare two variants", "/models/" + big + "/compare?a=" + sample.get(0) + "&b=" + sample.get(1));
        pages.put("variant page", "/variants/" + sample.get(0));
        pages.put("jobs", "/jobs");
        pages.put("jobs (SUCCEEDED)", "/jobs?status=SUCCEEDED");
        pages.put("job page", "/jobs/" + jobId);
        pages.put("approvals inbox", "/approvals");
        pages.put("approval page", "/approvals/" + approvals.get(1));
        pages.put("deployments", "/deployments");
        pages.put("deployment page", "/deployments/" + big);
        pages.put("routing revisions", "/deployments/" + big + "/routing?environment=production");
        pages.put("audit", "/audit");
        pages.put("audit (filtered)", "/audit?action=variant.created");
        // Not a page load but a person's explicit request to walk the whole chain now (the page itself shows
        // the background walk's outcome): reported, not held to the page target.
        String walk = "action: verify the chain now (" + AUDIT_EVENTS / 1000 + "k events walked)";
        pages.put(walk, "/audit?verify=true");
        pages.put("admin", "/admin");
        pages.put("admin: tokens", "/admin/tokens");
        pages.put("admin: policies", "/admin/policies");

        StringBuilder report = new StringBuilder();
        report.append("Seeded ").append(variants).append(" variants (with as many evaluations and benchmarks), ")
                .append(events).append(" audit events, ").append(MODELS + 0).append(" models in ")
                .append(String.format("%.0f", seedSeconds)).append(" s.\n\n")
                .append("| page | path | status | p50 ms | p95 ms | max ms | verdict |\n|---|---|---:|---:|---:|---:|---|\n");
        List<String> failures = new ArrayList<>();
        for (var page : pages.entrySet()) {
            double[] ms = new double[SAMPLES];
            int status = 0;
            for (int i = 0; i < WARMUP + SAMPLES; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = get(page.getValue());
                long t1 = System.nanoTime();
                status = r.statusCode();
                if (i >= WARMUP) {
                    ms[i - WARMUP] = (t1 - t0) / 1e6;
                }
            }
            Arrays.sort(ms);
            double p95 = ms[(int) Math.ceil(0.95 * SAMPLES) - 1];
            boolean action = page.getKey().equals(walk);
            boolean pass = status == 200 && (action || p95 < TARGET_P95_MS);
            if (!pass) {
                failures.add(page.getKey() + " (" + status + ", p95 " + String.format("%.1f", p95) + " ms)");
            }
            report.append(String.format("| %s | `%s` | %d | %.1f | %.1f | %.1f | %s |%n", page.getKey(),
                    page.getValue().replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "{id}"), status, ms[SAMPLES / 2], p95,
                    ms[SAMPLES - 1], action ? (pass ? "(no target)" : "FAIL") : pass ? "PASS" : "FAIL"));
        }
        Path out = Path.of("target", "bench", "portal-pages.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report.toString());
        System.out.println(report);
        assertThat(failures).as("pages over " + TARGET_P95_MS + " ms p95 or not 200").isEmpty();
    }

    /**
     * Copies the template variant, with its QUANTIZE job, evaluation and benchmark (and their jobs),
     * n times, spread evenly over the models' checkpoints. (Model names are generated [a-z0-9-].)
     */
    private void copyVariant(String template, List<String> models, int n) {
        String names = String.join(",", models.stream().map(m -> "'" + m + "'").toList());
        transaction.executeWithoutResult(tx -> {
            jdbc.execute("""
                    create temp table seed on commit drop as
                    select gen_random_uuid() as vid, gen_random_uuid() as qj, gen_random_uuid() as ej,
                           gen_random_uuid() as bj, gen_random_uuid() as eid, gen_random_uuid() as bid,
                           c.id as cp, c.model_id, now() - make_interval(secs => g) as at
                      from generate_series(1, %d) g
                      join (select c.id, c.model_id, row_number() over (order by m.name) - 1 as k
                              from checkpoint c join model m on m.id = c.model_id where m.name in (%s)) c
                        on c.k = g %% %d""".formatted(n, names, models.size()));
            jdbc.update("""
                    insert into job (id, type, status, checkpoint_id, recipe_name, recipe_version, hardware_target,
                                     attempts, max_attempts, progress, created_at, created_by, started_at, finished_at)
                    select s.qj, 'QUANTIZE', 'SUCCEEDED', s.cp, t.recipe_name, t.recipe_version, 'any', 1, 3, 1,
                           s.at, 'seed', s.at, s.at
                      from seed s, job t, variant v where v.id = ?::uuid and t.id = v.job_id""", template);
            jdbc.update("""
                    insert into variant (id, job_id, model_id, checkpoint_id, sha256, size_bytes, method, lineage,
                                         report, created_at, created_by)
                    select s.vid, s.qj, s.model_id, s.cp, v.sha256, v.size_bytes, v.method, v.lineage, v.report,
                           s.at, 'seed'
                      from seed s, variant v where v.id = ?::uuid""", template);
            jdbc.update("update job set variant_id = s.vid from seed s where job.id = s.qj");
            jdbc.update("""
                    insert into job (id, type, status, checkpoint_id, variant_id, dataset_name, dataset_version,
                                     hardware_target, attempts, max_attempts, progress, created_at, created_by,
                                     started_at, finished_at)
                    select s.ej, 'EVALUATE', 'SUCCEEDED', s.cp, s.vid, e.dataset_name, e.dataset_version, 'any', 1, 3,
                           1, s.at, 'seed', s.at, s.at
                      from seed s, evaluation e where e.variant_id = ?::uuid""", template);
            jdbc.update("""
                    insert into evaluation (id, variant_id, job_id, dataset_name, dataset_version, metrics,
                                            reference_metrics, deltas, slices, samples, hardware_profile, created_at)
                    select s.eid, s.vid, s.ej, e.dataset_name, e.dataset_version, e.metrics, e.reference_metrics,
                           e.deltas, e.slices, e.samples, e.hardware_profile, s.at
                      from seed s, evaluation e where e.variant_id = ?::uuid""", template);
            jdbc.update("""
                    insert into job (id, type, status, checkpoint_id, variant_id, hardware_target, attempts,
                                     max_attempts, progress, created_at, created_by, started_at, finished_at)
                    select s.bj, 'BENCHMARK', 'SUCCEEDED', s.cp, s.vid, b.hardware_target, 1, 3, 1, s.at, 'seed',
                           s.at, s.at
                      from seed s, benchmark b where b.variant_id = ?::uuid""", template);
            jdbc.update("""
                    insert into benchmark (id, variant_id, job_id, hardware_target, hardware_profile, latency_p50_ms,
                                           latency_p99_ms, speedup, results, created_at)
                    select s.bid, s.vid, s.bj, b.hardware_target, b.hardware_profile, b.latency_p50_ms,
                           b.latency_p99_ms, b.speedup, b.results, s.at
                      from seed s, benchmark b where b.variant_id = ?::uuid""", template);
        });
    }

    /** Audit events through the real chain, a thousand per transaction. */
    private void seedAuditEvents(int count) {
        for (int done = 0; done < count; done += 1000) {
            int batch = Math.min(1000, count - done);
            int offset = done;
            transaction.executeWithoutResult(tx -> {
                for (int i = 0; i < batch; i++) {
                    audit.recordAs("seed", "model.viewed", "model", "seed-" + ((offset + i) % 500), null,
                            Map.of("n", offset + i), Map.of("seed", true));
                }
            });
        }
    }

    private void logIn(String username, String password) throws Exception {
        Matcher csrf = CSRF.matcher(get("/login").body());
        assertThat(csrf.find()).isTrue();
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf=" + csrf.group(1);
        HttpResponse<String> r = browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location").orElse("")).doesNotContain("error");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }

}
