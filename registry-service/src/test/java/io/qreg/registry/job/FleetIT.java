package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * A registry and three worker processes: twenty jobs across the fixtures, one worker killed with
 * SIGKILL in the middle of a job. Nothing is lost and nothing is done twice.
 */
class FleetIT {

    private static final String WORKER_TOKEN = "qreg_fleet-worker-token-0123456789";

    @TempDir
    Path dir;

    private final Map<String, Process> workers = new LinkedHashMap<>();

    @AfterEach
    void stopWorkers() throws InterruptedException {
        for (Process worker : workers.values()) {
            worker.destroy();
        }
        for (Process worker : workers.values()) {
            worker.waitFor();
        }
    }

    private void startWorker(String name, String registryUrl, String token) throws IOException {
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m", "-cp",
                System.getProperty("java.class.path"), "io.qreg.worker.cli.QuantizerCli", "worker",
                "--registry", registryUrl, "--token", token, "--name", name, "--grace", "2",
                // BENCHMARK jobs run long enough to be caught mid-job.
                "--benchmark-iterations", "400", "--work-dir", dir.resolve(name).toString());
        dir.resolve(name).toFile().mkdirs();
        workers.put(name, new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile()).start());
    }

    @Test
    void twentyJobsOnThreeWorkersSucceedOnceEachThoughOneWorkerIsKilledMidJob() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start(dir.resolve("qreg-data"), "1g",
                Map.of("QREG_JOBS_LEASE_SECONDS", "6", "QREG_JOBS_HEARTBEAT_SECONDS", "2",
                        "QREG_BOOTSTRAP_WORKER_TOKEN", WORKER_TOKEN))) {
            HttpApi admin = registry.api(IntegrationTest.ADMIN_TOKEN);
            String registryUrl = admin.baseUrl();
            // The WORKER account the registry bootstraps for workers started beside it.
            String workerToken = WORKER_TOKEN;
            assertThat(admin.as(workerToken).get("/api/v1/me").json().get("roles").toString()).contains("WORKER");

            Map<String, String> checkpoints = registerFixtures(admin);
            for (String name : List.of("w1", "w2", "w3")) {
                startWorker(name, registryUrl, workerToken);
            }

            // Two variants first, for the long BENCHMARK jobs.
            String lmJob = submitQuantize(admin, checkpoints.get("bytelm"), "int8", null);
            String lmJob2 = submitQuantize(admin, checkpoints.get("bytelm"), "int4", null);
            String lmVariant = EmbeddedWorkerIT.awaitFinished(admin, lmJob).get("variantId").asString();
            String lmVariant2 = EmbeddedWorkerIT.awaitFinished(admin, lmJob2).get("variantId").asString();

            List<String> jobs = new ArrayList<>(List.of(lmJob, lmJob2));
            jobs.add(submit(admin, Map.of("type", "BENCHMARK", "variantId", lmVariant, "hardwareTarget", "any")));
            jobs.add(submit(admin, Map.of("type", "BENCHMARK", "variantId", lmVariant2, "hardwareTarget", "any")));
            String[][] quantize = {{"mlp", "int8"}, {"mlp", "int4"}, {"mlp", "fp16"}, {"mlp", "int8w"},
                {"mlp", "static"}, {"cnn", "int8"}, {"cnn", "int4"}, {"cnn", "fp16"}, {"cnn", "int8w"},
                {"cnn", "static"}, {"bytelm", "fp16"}, {"bytelm", "int8w"}, {"mlp", "int8pc"}, {"cnn", "int8pc"},
                {"bytelm", "int8pc"}, {"bytelm", "static"}};
            for (String[] q : quantize) {
                jobs.add(submitQuantize(admin, checkpoints.get(q[0]), q[1], q[1].equals("static") ? q[0] : null));
            }
            assertThat(jobs).hasSize(20);

            String killedJob = killAWorkerInTheMiddleOfABenchmark(admin);

            Map<String, JsonNode> finished = new HashMap<>();
            for (String job : jobs) {
                finished.put(job, EmbeddedWorkerIT.awaitFinished(admin, job));
            }
            finished.forEach((id, job) -> assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("SUCCEEDED"));
            assertThat(finished.get(killedJob).get("attempts").asInt()).as("the killed attempt and its retry").isEqualTo(2);

            for (String job : jobs) {
                var events = admin.get("/api/v1/audit?action=job.finished&subjectId=" + job).json();
                assertThat(events.get("totalItems").asLong()).as("job %s finished exactly once", job).isEqualTo(1);
            }
            long quantizeJobs = finished.values().stream().filter(j -> j.get("type").asString().equals("QUANTIZE")).count();
            long variants = 0;
            for (String model : List.of("fleet-mlp", "fleet-cnn", "fleet-bytelm")) {
                JsonNode list = admin.get("/api/v1/models/" + model + "/variants").json();
                JsonNode items = list.has("items") ? list.get("items") : list;
                variants += items.size();
            }
            assertThat(variants).as("one variant per QUANTIZE job, no duplicates").isEqualTo(quantizeJobs);
        }
    }

    private String killAWorkerInTheMiddleOfABenchmark(HttpApi admin) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            for (JsonNode worker : items(admin.get("/api/v1/workers?size=200").json())) {
                JsonNode current = worker.get("currentJobId");
                if (current == null || current.isNull()) {
                    continue;
                }
                JsonNode job = admin.get("/api/v1/jobs/" + current.asString()).json();
                if (job.get("type").asString().equals("BENCHMARK") && job.get("status").asString().equals("RUNNING")
                        && job.get("progress").asDouble() > 0.05) {
                    Process process = workers.get(worker.get("name").asString());
                    process.destroyForcibly();
                    process.waitFor();
                    return current.asString();
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no worker was ever caught running a BENCHMARK job");
    }

    private static Iterable<JsonNode> items(JsonNode page) {
        return page.has("items") ? page.get("items") : page;
    }

    private Map<String, String> registerFixtures(HttpApi admin) throws IOException {
        Map<String, String> checkpoints = new HashMap<>();
        String[][] models = {{"mlp", "digits_mlp.onnx", "classification"}, {"cnn", "digits_cnn.onnx", "classification"},
            {"bytelm", "bytelm_small.onnx", "language-model"}};
        for (String[] m : models) {
            assertThat(admin.post("/api/v1/models", Map.of("name", "fleet-" + m[0], "task", m[2])).status()).isEqualTo(201);
            checkpoints.put(m[0], admin.upload("/api/v1/models/fleet-" + m[0] + "/checkpoints",
                    Map.of("version", "1", "license", "MIT"), Fixtures.bytes(m[1]), m[1]).json().get("id").asString());
        }
        Map<String, Map<String, Object>> recipes = Map.of(
                "int8", Map.of("method", "int8-dynamic"),
                "int8pc", Map.of("method", "int8-dynamic", "perChannel", true),
                "int4", Map.of("method", "int4-weight", "symmetric", true),
                "int8w", Map.of("method", "int8-weight"),
                "fp16", Map.of("method", "fp16"),
                "static", Map.of("method", "int8-static", "calibrationMethod", "minmax"));
        recipes.forEach((name, fields) -> {
            Map<String, Object> body = new HashMap<>(fields);
            body.put("name", name);
            assertThat(admin.post("/api/v1/recipes", body).status()).isEqualTo(201);
        });
        upload(admin, "calib-mlp", "digits_calib_x.npy", "input.npy");
        upload(admin, "calib-cnn", "digits_calib_x_img.npy", "input.npy");
        upload(admin, "calib-bytelm", "bytelm_small_calib_ids.npy", "input_ids.npy");
        return checkpoints;
    }

    private static void upload(HttpApi admin, String name, String fixture, String filename) {
        var reply = admin.upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"),
                Fixtures.bytes(fixture), filename);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    private static String submitQuantize(HttpApi admin, String checkpointId, String recipe, String calibration) {
        Map<String, Object> body = new HashMap<>(Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                "recipe", Map.of("name", recipe, "version", 1)));
        if (calibration != null) {
            body.put("calibrationDataset", Map.of("name", "calib-" + calibration, "version", 1));
        }
        return submit(admin, body);
    }

    private static String submit(HttpApi admin, Map<String, Object> body) {
        var reply = admin.post("/api/v1/jobs", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        return reply.json().get("id").asString();
    }
}
