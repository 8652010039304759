package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.Bodies;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

import tools.jackson.databind.JsonNode;

/** A model with a checkpoint, a recipe and datasets to submit jobs against, and a queue no earlier test left jobs in. */
public abstract class JobTestSupport extends IntegrationTest {

    /** What the jobs of these tests refer to, registered once per test run. */
    public record Registered(String model, String checkpointId, String recipe, String calibration, String evaluation) {
    }

    private static Registered registered;

    @Autowired
    protected LeaseSweeper sweeper;

    @TempDir
    protected Path scratch;

    @BeforeEach
    void emptyQueue() {
        // Jobs other tests left queued or running would be claimed by this test's workers.
        jdbc.update("update job set status = 'CANCELLED', finished_at = now(), worker_id = null,"
                + " lease_expires_at = null where status in ('QUEUED', 'RUNNING')");
    }

    protected Registered registered() {
        if (registered == null) {
            String model = unique("digits");
            ok(admin().post("/api/v1/models", Map.of("name", model, "task", "classification", "owner", "ml")), 201);
            String checkpoint = ok(admin().upload("/api/v1/models/" + model + "/checkpoints",
                    Map.of("version", "1.0.0", "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"),
                    "digits_mlp.onnx"), 201).json().get("id").asString();
            String recipe = unique("int8");
            ok(admin().post("/api/v1/recipes", Map.of("name", recipe, "method", "int8-dynamic")), 201);
            String calibration = dataset("digits-calib", "calibration", Fixtures.bytes("digits_calib_x.npy"),
                    "input.npy");
            String evaluation = dataset("digits-eval", "evaluation", zip(Map.of("input.npy",
                    Fixtures.bytes("digits_eval_x.npy"), "labels.npy", Fixtures.bytes("digits_eval_y.npy"))),
                    "eval.zip");
            registered = new Registered(model, checkpoint, recipe, calibration, evaluation);
        }
        return registered;
    }

    /** A new dataset for the purpose, uploaded by the admin as one file, its name made unique from the prefix. */
    protected String dataset(String prefix, String purpose, byte[] file, String filename) {
        String name = unique(prefix);
        ok(admin().upload("/api/v1/datasets", Map.of("name", name, "purpose", purpose), file, filename), 201);
        return name;
    }

    protected static HttpApi.Reply ok(HttpApi.Reply reply, int status) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        return reply;
    }

    protected Map<String, Object> quantizeRequest(Object... extra) {
        Registered r = registered();
        // force: these tests drive the worker protocol, so every job must run, even one identical to an earlier test's.
        return Bodies.with(Map.of("type", "QUANTIZE", "checkpointId", r.checkpointId(),
                "recipe", Map.of("name", r.recipe(), "version", 1), "force", true), extra);
    }

    /** Submits a QUANTIZE job as an engineer; returns its id. */
    protected String submitQuantize(HttpApi engineer, Object... extra) {
        return ok(engineer.post("/api/v1/jobs", quantizeRequest(extra)), 202).json().get("id").asString();
    }

    /** Claims the oldest job as this worker, quantizes the checkpoint it names for real, and returns the result body. */
    protected Map<String, Object> quantizeFor(TestWorker worker, JsonNode claimed, Path out) throws Exception {
        HttpApi.Reply download = worker.api.get(claimed.get("checkpoint").get("contentUrl").asString());
        assertThat(download.status()).isEqualTo(200);
        Path in = scratch.resolve("in-" + claimed.get("id").asString() + ".onnx");
        Files.write(in, Fixtures.bytes("digits_mlp.onnx"));
        assertThat(Fixtures.sha256(in)).isEqualTo(claimed.get("checkpoint").get("sha256").asString());
        QuantizationReport report = Quantizer.quantize(in, out,
                QuantizationOptions.defaults(Method.INT8_DYNAMIC), ProgressListener.NONE);
        return Map.of("report", report.toMap(), "engineVersion", "0.1.0-SNAPSHOT", "onnxRuntimeVersion", "1.23.2",
                "sha256", Fixtures.sha256(out), "sizeBytes", Files.size(out), "error", "", "retryable", false);
    }

    /** Submits a QUANTIZE job and plays its worker to the end; returns the variant's id. */
    protected String producedVariant(HttpApi engineer) {
        try {
            String jobId = submitQuantize(engineer);
            TestWorker worker = newWorker();
            JsonNode claimed = ok(worker.claim("5s"), 200).json();
            assertThat(claimed.get("id").asString()).isEqualTo(jobId);
            Path out = scratch.resolve("variant-" + jobId + ".onnx");
            return ok(worker.result(jobId, 1, "SUCCEEDED", quantizeFor(worker, claimed, out), Files.readAllBytes(out)),
                    200).json().get("variantId").asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected TestWorker newWorker() {
        return TestWorker.register(userWith("WORKER"), Map.of("pool", "test"), List.of("avx2", "fma"));
    }

    protected static byte[] zip(Map<String, byte[]> entries) {
        return Fixtures.zip(entries);
    }

    /**
     * A real worker daemon (the one {@code java -jar quantizer-worker.jar worker} runs) speaking HTTP to this
     * registry under a new WORKER account, registered before this returns; its log goes to {@code log}.
     */
    protected WorkerDaemon startDaemon(ByteArrayOutputStream log) throws InterruptedException {
        String username = "w-" + UUID.randomUUID().toString().substring(0, 8);
        ok(admin().post("/api/v1/users", Map.of("username", username, "roles", List.of("WORKER"))), 201);
        String token = admin().post("/api/v1/tokens", Map.of("name", "daemon", "username", username)).json()
                .get("token").asString();
        WorkerConfig config = WorkerConfig.of(URI.create("http://localhost:" + port), token)
                .withName(unique("daemon")).withWorkDir(scratch.resolve("daemon-" + username))
                .withClaimWait(Duration.ofSeconds(20)).withBenchmark(5, 1)
                .withLog(new PrintStream(log, true, StandardCharsets.UTF_8));
        WorkerDaemon daemon = WorkerDaemon.start(config);
        assertThat(daemon.awaitRegistration(Duration.ofSeconds(20))).as(log.toString(StandardCharsets.UTF_8))
                .isTrue();
        return daemon;
    }

    /** Polls until the job is neither QUEUED nor RUNNING; fails after {@code patience}. */
    protected JsonNode awaitFinished(String jobId, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
            String status = job.get("status").asString();
            if (!status.equals("QUEUED") && !status.equals("RUNNING")) {
                return job;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("job " + jobId + " did not finish within " + patience);
    }

    /** Puts a running job's lease in the past, as if its worker had gone silent, and runs the sweeper. */
    protected void expireLease(String jobId) {
        jdbc.update("update job set lease_expires_at = now() - interval '1 minute' where id = ?::uuid", jobId);
        sweeper.sweep();
    }
}
