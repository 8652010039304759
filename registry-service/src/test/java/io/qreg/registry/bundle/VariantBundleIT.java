package io.qreg.registry.bundle;

import static io.qreg.registry.job.EmbeddedWorkerIT.awaitFinished;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.WorkingRegistry;
import io.qreg.registry.support.WorkingRegistryTest;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

/**
 * Reproducible variants end to end on a registry with its in-process worker: real quantization, evaluation and
 * benchmark; an identical job returns the variant; the bundle holds the model whose sha256 the manifest names
 * (checked by unzipping and hashing, in Java and with the documented unzip + sha256sum + jq line), the lineage
 * digests, evidence, approval with its signer and the audit events; a reproduction on the worker is identical and
 * makes no second variant. One variant on the shared {@link WorkingRegistry} serves every test; what they create is
 * named bundle-*.
 */
class VariantBundleIT extends WorkingRegistryTest {

    @TempDir
    static Path dir;

    private String checkpointId;
    private String variantId;
    private String approver;
    private String recipeHash;
    private String calibrationSha;

    @BeforeAll
    void aVariantWithEvidenceAndAnApproval() throws Exception {
        ok(admin.post("/api/v1/models", Map.of("name", "bundle-digits", "task", "classification")), 201);
        checkpointId = ok(admin.upload("/api/v1/models/bundle-digits/checkpoints", Map.of("version", "1.0.0",
                "license", "Apache-2.0", "redistribution", "allowed", "sourceUri", "https://example.org/bundle-digits"),
                Fixtures.bytes("digits_mlp.onnx"), "mlp.onnx"), 201).json().get("id").asString();
        recipeHash = ok(admin.post("/api/v1/recipes", Map.of("name", "bundle-static", "method", "int8-static",
                "calibrationMethod", "minmax")), 201).json().get("hash").asString();
        calibrationSha = ok(admin.upload("/api/v1/datasets", Map.of("name", "bundle-digits-calib", "purpose",
                "calibration"), Fixtures.bytes("digits_calib_x.npy"), "input.npy"), 201).json().get("sha256")
                .asString();
        ok(admin.upload("/api/v1/datasets", Map.of("name", "bundle-digits-eval", "purpose", "evaluation"),
                Fixtures.zip(Map.of("input.npy", Fixtures.bytes("digits_eval_x.npy"), "labels.npy",
                        Fixtures.bytes("digits_eval_y.npy"), "slices.npy", twoSlices(500))), "eval.zip"), 201);
        JsonNode job = awaitFinished(admin, ok(admin.post("/api/v1/jobs", quantize(false, List.of(
                Map.of("type", "EVALUATE", "dataset", Map.of("name", "bundle-digits-eval", "version", 1)),
                Map.of("type", "BENCHMARK", "hardwareTarget", "any")))), 202).json().get("id").asString());
        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        variantId = job.get("variantId").asString();
        for (JsonNode followUp : job.get("followUpJobIds")) {
            assertThat(awaitFinished(admin, followUp.asString()).get("status").asString()).isEqualTo("SUCCEEDED");
        }

        // An approval for a deployment, signed by an APPROVER (the policy is emptied so evidence cannot block it).
        ok(admin.put("/api/v1/models/bundle-digits/policy", Map.of()), 200);
        ok(admin.post("/api/v1/deployments", Map.of("name", "bundle-digits-prod", "modelName", "bundle-digits",
                "environments", List.of("production"), "tiers", List.of(Map.of("name", "standard"),
                        Map.of("name", "default", "default", true)))), 201);
        HttpApi requester = person("bundle-requester", "ENGINEER");
        String approval = ok(requester.post("/api/v1/approvals", Map.of("variantId", variantId,
                "deployment", "bundle-digits-prod", "environment", "production", "tier", "standard")), 201).json()
                .get("id").asString();
        approver = "bundle-signer";
        ok(person(approver, "APPROVER").post("/api/v1/approvals/" + approval + "/signoffs",
                Map.of("decision", "APPROVE", "comment", "numbers look right")), 200);
    }

    @Test
    void anIdenticalQuantizeJobSucceedsAtOnceWithTheExistingVariantAndForceRunsItToTheSameBytes() throws Exception {
        JsonNode reused = ok(admin.post("/api/v1/jobs", quantize(false, List.of())), 202).json();

        assertThat(reused.get("status").asString()).as("the embedded worker runs the engine that made the variant")
                .isEqualTo("SUCCEEDED");
        assertThat(reused.get("reused").asBoolean()).isTrue();
        assertThat(reused.get("variantId").asString()).isEqualTo(variantId);
        assertThat(reused.get("attempts").asInt()).isZero();

        JsonNode forced = awaitFinished(admin, ok(admin.post("/api/v1/jobs", quantize(true, List.of())), 202).json()
                .get("id").asString());
        assertThat(forced.get("status").asString()).isEqualTo("SUCCEEDED");
        assertThat(forced.get("reused").asBoolean()).isFalse();
        assertThat(forced.get("variantId").asString()).isNotEqualTo(variantId);
        assertThat(admin.get("/api/v1/variants/" + forced.get("variantId").asString()).json().get("sha256")
                .asString()).isEqualTo(variant().get("sha256").asString());
    }

    @Test
    void theBundlesManifestNamesTheModelFilesSha256AndEveryLineageDigest() throws Exception {
        Map<String, byte[]> files = unzip(bundle(variantId));

        assertThat(files).containsOnlyKeys("manifest.json", "MODEL_CARD.md", "model.onnx");
        JsonNode manifest = HttpApi.JSON.readTree(files.get("manifest.json"));
        assertThat(manifest.get("model").get("sha256").asString()).isEqualTo(Fixtures.sha256(files.get("model.onnx")))
                .isEqualTo(variant().get("sha256").asString());
        assertThat(manifest.get("model").get("sizeBytes").asLong()).isEqualTo(files.get("model.onnx").length);
        JsonNode lineage = manifest.get("lineage");
        assertThat(lineage.get("checkpoint").get("sha256").asString())
                .isEqualTo(Fixtures.sha256(Fixtures.bytes("digits_mlp.onnx")));
        assertThat(lineage.get("recipe").get("contentHash").asString()).isEqualTo(recipeHash);
        assertThat(lineage.get("calibrationDataset").get("sha256").asString()).isEqualTo(calibrationSha);
        assertThat(lineage.get("engineVersion").asString()).isNotBlank();
        assertThat(lineage.get("onnxRuntimeVersion").asString()).startsWith("1.");
        assertThat(manifest.get("hardwareProfiles").get(0).get("usedFor").toString())
                .contains("quantized", "evaluated", "benchmarked");
        assertThat(manifest.get("evaluations")).hasSize(1);
        assertThat(manifest.get("evaluations").get(0).get("slices").size()).isEqualTo(2);
        assertThat(manifest.get("benchmarks")).hasSize(1);
        JsonNode approval = manifest.get("approvals").get(0);
        assertThat(approval.get("status").asString()).isEqualTo("APPROVED");
        assertThat(approval.get("signoffs").get(0).get("signer").asString()).isEqualTo(approver);
        assertThat(approval.get("signoffs").get(0).get("signedAt").asString()).isNotBlank();
        List<String> actions = new ArrayList<>();
        manifest.get("auditEvents").forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).contains("variant.created", "evaluation.recorded", "benchmark.recorded",
                "approval.requested", "approval.signed");
    }

    @Test
    void theDocumentedShellLineVerifiesTheBundleAndCatchesAChangedModel() throws Exception {
        Path zip = dir.resolve("bundle.zip");
        Files.write(zip, bundle(variantId));
        String line = new String(unzip(Files.readAllBytes(zip)).get("MODEL_CARD.md"), StandardCharsets.UTF_8)
                .lines().filter(l -> l.startsWith("test \"$(unzip -p bundle.zip")).findFirst().orElseThrow();

        assertThat(shell(line, dir)).isEqualTo("verified");

        // The same line on a bundle whose model was swapped for other bytes prints nothing.
        Map<String, byte[]> files = unzip(Files.readAllBytes(zip));
        files.put("model.onnx", Fixtures.bytes("digits_cnn.onnx"));
        Path tampered = dir.resolve("tampered");
        Files.createDirectories(tampered);
        Files.write(tampered.resolve("bundle.zip"), Fixtures.zip(files));
        assertThat(shell(line, tampered)).isEmpty();
    }

    @Test
    void theModelCardSaysWhatItIsHowItWasMadeItsQualityWhereItIsApprovedAndItsTerms() throws Exception {
        String card = new String(unzip(bundle(variantId)).get("MODEL_CARD.md"), StandardCharsets.UTF_8);

        assertThat(card).contains("# bundle-digits · int8-static", "## What it is", "checkpoint bundle-digits@1.0.0",
                "## How it was made", "Recipe bundle-static@1 (method `int8-static`", recipeHash,
                "Calibration dataset: bundle-digits-calib@1 (sha256 `" + calibrationSha + "`)",
                "## Quality against FP32", "| accuracy |", "Per slice", "| 0 |", "| 1 |",
                "## Where it is approved to run", "bundle-digits-prod / production / tier standard",
                "signed by " + approver,
                "## Licence and redistribution", "Licence: Apache-2.0", "Redistribution: allowed",
                "https://example.org/bundle-digits", "## Checking this bundle");
    }

    @Test
    void aReproductionOnTheWorkerIsIdenticalAndMakesNoSecondVariant() throws Exception {
        long variantsBefore = admin.get("/api/v1/models/bundle-digits/variants").json().get("totalItems").asLong();

        HttpApi reproducer = person("bundle-reproducer", "ENGINEER");
        JsonNode queued = ok(reproducer.post("/api/v1/variants/" + variantId + "/reproduce", Map.of()), 202).json();
        assertThat(queued.get("reproducesVariantId").asString()).isEqualTo(variantId);
        JsonNode job = awaitFinished(admin, queued.get("id").asString());

        assertThat(job.get("status").asString()).as(job + registry.tail()).isEqualTo("SUCCEEDED");
        assertThat(job.hasNonNull("variantId")).isFalse();
        assertThat(job.get("message").asString()).contains("reproduced on embedded-worker", ": identical");
        JsonNode reproduction = admin.get("/api/v1/variants/" + variantId + "/reproductions").json().get(0);
        assertThat(reproduction.get("identical").asBoolean()).isTrue();
        assertThat(reproduction.get("sha256").asString()).isEqualTo(variant().get("sha256").asString());
        assertThat(reproduction.get("workerName").asString()).isEqualTo("embedded-worker");
        assertThat(admin.get("/api/v1/models/bundle-digits/variants").json().get("totalItems").asLong())
                .isEqualTo(variantsBefore);
        JsonNode manifest = HttpApi.JSON.readTree(unzip(bundle(variantId)).get("manifest.json"));
        assertThat(manifest.get("reproductions").get(0).get("identical").asBoolean()).isTrue();
    }

    @Test
    void refusalsAreProblemsNamingTheFieldAndQueueNothing() {
        HttpApi engineer = person("bundle-refused", "ENGINEER");
        long jobsBefore = admin.get("/api/v1/jobs").json().get("totalItems").asLong();

        HttpApi.Reply unknownTarget = engineer.post("/api/v1/variants/" + variantId + "/reproduce",
                Map.of("hardwareTarget", "nowhere"));
        assertThat(unknownTarget.status()).isEqualTo(404);
        assertThat(unknownTarget.isProblem()).isTrue();
        assertThat(unknownTarget.json().get("field").asString()).isEqualTo("hardwareTarget");
        HttpApi.Reply unknownVariant = engineer.post("/api/v1/variants/" + java.util.UUID.randomUUID()
                + "/reproduce", Map.of());
        assertThat(unknownVariant.status()).isEqualTo(404);
        assertThat(unknownVariant.isProblem()).isTrue();
        assertThat(person("bundle-onlooker", "VIEWER").post("/api/v1/variants/" + variantId + "/reproduce", Map.of())
                .status()).isEqualTo(403);
        assertThat(admin.get("/api/v1/jobs").json().get("totalItems").asLong()).isEqualTo(jobsBefore);

        HttpApi.Reply noBundle = admin.get("/api/v1/variants/" + java.util.UUID.randomUUID() + "/bundle");
        assertThat(noBundle.status()).isEqualTo(404);
        assertThat(noBundle.isProblem()).isTrue();
    }

    private Map<String, Object> quantize(boolean force, List<Map<String, Object>> followUps) {
        Map<String, Object> request = new HashMap<>(Map.of("type", "QUANTIZE", "checkpointId", checkpointId,
                "recipe", Map.of("name", "bundle-static", "version", 1), "calibrationDataset",
                Map.of("name", "bundle-digits-calib", "version", 1), "followUps", followUps));
        if (force) {
            request.put("force", true);
        }
        return request;
    }

    private JsonNode variant() {
        return admin.get("/api/v1/variants/" + variantId).json();
    }

    private byte[] bundle(String id) throws Exception {
        HttpResponse<byte[]> reply = admin.client().send(admin.request("/api/v1/variants/" + id + "/bundle").GET()
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type").orElse("")).startsWith("application/zip");
        assertThat(reply.headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
        return reply.body();
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> files = new HashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                files.put(e.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static String shell(String line, Path workDir) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", line).directory(workDir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private HttpApi person(String username, String role) {
        ok(admin.post("/api/v1/users", Map.of("username", username, "roles", List.of(role))), 201);
        return admin.as(ok(admin.post("/api/v1/tokens", Map.of("name", "t", "username", username)), 201).json()
                .get("token").asString());
    }

    /** Slice ids 0 and 1, alternating, one per sample. */
    private static byte[] twoSlices(int samples) throws IOException {
        long[] ids = new long[samples];
        for (int i = 0; i < samples; i++) {
            ids[i] = i % 2;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, NpyArray.ofLongs(ids, samples));
        return out.toByteArray();
    }
}
