package io.qreg.registry.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.SyntheticOnnx;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

class CheckpointUploadIT extends IntegrationTest {

    private String model;

    @BeforeEach
    void createModel() {
        model = unique("digits");
        var created = admin().post("/api/v1/models", Map.of("name", model, "task", "classification",
                "description", "digits classifier", "riskTier", "high"));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    private static Map<String, Object> metadata(String version) {
        return Map.of("version", version, "license", "Apache-2.0", "redistribution", "allowed",
                "sourceUri", "https://example.org/digits");
    }

    private int checkpointRows() {
        return jdbc.queryForObject("select count(*) from checkpoint", Integer.class);
    }

    private int blobRows() {
        return jdbc.queryForObject("select count(*) from blob", Integer.class);
    }

    @Test
    void uploadOfDigitsMlpRecordsDigestOpsetAndSignature() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "digits_mlp.onnx");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode body = reply.json();
        assertThat(body.get("sha256").asString()).isEqualTo(Fixtures.sha256(onnx));
        assertThat(body.get("sizeBytes").asLong()).isEqualTo(onnx.length);
        assertThat(body.get("opset").asLong()).isEqualTo(17);
        assertThat(body.get("inputs")).hasSize(1);
        assertThat(body.get("inputs").get(0).get("name").asString()).isEqualTo("input");
        assertThat(body.get("inputs").get(0).get("elementType").asString()).isEqualTo("float32");
        JsonNode inputShape = body.get("inputs").get(0).get("shape");
        assertThat(inputShape.get(0).isString()).as("symbolic batch dimension").isTrue();
        assertThat(inputShape.get(1).asLong()).isEqualTo(64);
        assertThat(body.get("outputs").get(0).get("name").asString()).isEqualTo("logits");
        assertThat(body.get("outputs").get(0).get("shape").get(1).asLong()).isEqualTo(10);

        var read = admin().get("/api/v1/checkpoints/" + body.get("id").asString());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("sha256").asString()).isEqualTo(Fixtures.sha256(onnx));
        assertThat(read.json().get("modelName").asString()).isEqualTo(model);
    }

    @Test
    void uploadOfBytelmRecordsTwoSymbolicInputDimsAndInt64() {
        byte[] onnx = Fixtures.bytes("bytelm_small.onnx");
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("2.0.0"), onnx, "bytelm.onnx");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonNode input = reply.json().get("inputs").get(0);
        assertThat(input.get("name").asString()).isEqualTo("input_ids");
        assertThat(input.get("elementType").asString()).isEqualTo("int64");
        assertThat(input.get("shape").get(0).isString()).isTrue();
        assertThat(input.get("shape").get(1).isString()).isTrue();
        JsonNode output = reply.json().get("outputs").get(0);
        assertThat(output.get("elementType").asString()).isEqualTo("float32");
        assertThat(output.get("shape").get(2).asLong()).isEqualTo(256);
        assertThat(reply.json().get("opset").asLong()).isEqualTo(17);
        assertThat(reply.json().get("sha256").asString()).isEqualTo(Fixtures.sha256(onnx));
    }

    @Test
    void matchingClientDigestIsAcceptedAndWrongDigestLeavesNothing() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        var ok = admin().upload("/api/v1/models/" + model + "/checkpoints",
                Map.of("version", "1", "license", "MIT", "sha256", Fixtures.sha256(onnx)), onnx, "m.onnx");
        assertThat(ok.status()).as(ok.body()).isEqualTo(201);

        int rows = checkpointRows();
        int blobs = blobRows();
        List<Path> files = storedBlobs();
        String wrong = "0".repeat(64);
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints",
                Map.of("version", "2", "license", "MIT", "sha256", wrong), Fixtures.bytes("bytelm_small.onnx"), "b.onnx");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("detail").asString()).contains("sha256 mismatch").contains(wrong);
        assertThat(reply.json().get("field").asString()).isEqualTo("sha256");
        assertThat(checkpointRows()).isEqualTo(rows);
        assertThat(blobRows()).isEqualTo(blobs);
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void nonOnnxFileIsRejectedAndLeavesNothing() {
        int rows = checkpointRows();
        List<Path> files = storedBlobs();
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"),
                "this is a README, not a model\n".repeat(50).getBytes(StandardCharsets.UTF_8), "README.md");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("detail").asString()).contains("not a usable ONNX model");
        assertThat(checkpointRows()).isEqualTo(rows);
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void truncatedOnnxFileIsRejectedAsTruncated() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        byte[] cut = java.util.Arrays.copyOf(onnx, onnx.length / 2);
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), cut, "cut.onnx");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.json().get("detail").asString()).containsIgnoringCase("truncated");
    }

    @Test
    void truncatedRequestBodyIsRejectedAndLeavesNothing() throws Exception {
        int rows = checkpointRows();
        List<Path> files = storedBlobs();
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String boundary = "cut-short";
        byte[] head = HttpApi.Multipart.head(boundary, HttpApi.JSON.writeValueAsString(metadata("9.9.9")), "m.onnx");
        long declared = head.length + onnx.length + HttpApi.Multipart.tail(boundary).length;

        String response;
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/models/" + model + "/checkpoints HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + ADMIN_TOKEN + "\r\n"
                    + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n"
                    + "Content-Length: " + declared + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(head);
            out.write(onnx, 0, onnx.length / 3); // the client dies a third of the way in
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).contains("application/problem+json").containsIgnoringCase("truncated");
        assertThat(checkpointRows()).isEqualTo(rows);
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void oversizedUploadIsRejectedWith413AndLeavesNothing(@TempDir Path dir) throws Exception {
        int rows = checkpointRows();
        List<Path> files = storedBlobs();
        Path big = SyntheticOnnx.write(dir.resolve("big.onnx"), UPLOAD_LIMIT + 1024, 7);

        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), big, "big.onnx");

        assertThat(reply.status()).isEqualTo(413);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("detail").asString()).contains("limit of " + UPLOAD_LIMIT + " bytes");
        assertThat(checkpointRows()).isEqualTo(rows);
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void graphWithoutInputsOrOutputsIsRefusedWith422AndLeavesNothing(@TempDir Path dir) throws Exception {
        for (boolean[] signature : new boolean[][] {{false, false}, {false, true}, {true, false}}) {
            int rows = checkpointRows();
            List<Path> files = storedBlobs();
            Path hollow = SyntheticOnnx.write(dir.resolve("hollow.onnx"), 1024, 11, signature[0], signature[1]);

            var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("9.9.9"), hollow,
                    "hollow.onnx");

            assertThat(reply.status()).as(reply.body()).isEqualTo(422);
            assertThat(reply.isProblem()).isTrue();
            assertThat(reply.json().get("field").asString()).isEqualTo("file");
            assertThat(reply.json().get("detail").asString())
                    .contains(signature[0] ? "no outputs" : "no inputs");
            assertThat(checkpointRows()).isEqualTo(rows);
            assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(files);
            assertThat(stagingFiles()).isEmpty();
        }
    }

    @Test
    void sameBytesUploadedTwiceShareOneBlob() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String sha = Fixtures.sha256(onnx);
        var first = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "a.onnx");
        var second = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.1"), onnx, "b.onnx");

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(201);
        assertThat(first.json().get("id")).isNotEqualTo(second.json().get("id"));
        assertThat(storedBlobs().stream().filter(p -> p.getFileName().toString().equals(sha))).hasSize(1);
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class, sha)).isEqualTo(1);
    }

    @Test
    void concurrentUploadsOfTheSameBytesEndWithOneBlob(@TempDir Path dir) throws Exception {
        Path file = SyntheticOnnx.write(dir.resolve("shared.onnx"), 8L * 1024 * 1024, 99);
        String sha = Fixtures.sha256(file);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<HttpApi.Reply>> uploads = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String version = "3.0." + i;
            uploads.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return admin().upload("/api/v1/models/" + model + "/checkpoints", metadata(version), file, "s.onnx");
            }));
        }
        start.countDown();
        for (var upload : uploads) {
            var reply = upload.get();
            assertThat(reply.status()).as(reply.body()).isEqualTo(201);
            assertThat(reply.json().get("sha256").asString()).isEqualTo(sha);
        }
        assertThat(storedBlobs().stream().filter(p -> p.getFileName().toString().equals(sha))).hasSize(1);
        assertThat(jdbc.queryForObject("select count(*) from blob where sha256 = ?", Integer.class, sha)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from checkpoint where sha256 = ?", Integer.class, sha)).isEqualTo(4);
    }

    @Test
    void duplicateVersionIsAConflictAndUnknownModelIsNotFound() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "a.onnx");
        var again = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "a.onnx");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("detail").asString()).contains("already has a checkpoint version '1.0.0'");

        var unknown = admin().upload("/api/v1/models/no-such-model/checkpoints", metadata("1"), onnx, "a.onnx");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("detail").asString()).contains("model 'no-such-model' does not exist");
    }

    @Test
    void missingLicenseIsRejectedNamingTheField() {
        var reply = admin().upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", "1"),
                Fixtures.bytes("digits_mlp.onnx"), "a.onnx");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("field").asString()).isEqualTo("license");
        assertThat(stagingFiles()).isEmpty();
    }

    @Test
    void downloadCarriesEtagAnswers304AndServesRanges() throws Exception {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String id = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "a.onnx")
                .json().get("id").asString();

        var client = admin().client();
        var full = client.send(admin().request("/api/v1/checkpoints/" + id + "/content").GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(full.statusCode()).isEqualTo(200);
        assertThat(full.body()).isEqualTo(onnx);
        String etag = full.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).isEqualTo("\"" + Fixtures.sha256(onnx) + "\"");

        var notModified = client.send(admin().request("/api/v1/checkpoints/" + id + "/content")
                .header("If-None-Match", etag).GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(notModified.statusCode()).isEqualTo(304);

        var range = client.send(admin().request("/api/v1/checkpoints/" + id + "/content")
                .header("Range", "bytes=100-199").GET().build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(range.statusCode()).isEqualTo(206);
        assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(onnx, 100, 200));
        assertThat(range.headers().firstValue("Content-Range").orElseThrow()).isEqualTo("bytes 100-199/" + onnx.length);
    }

    @Test
    void lineageListsParentAndChildren() {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String parent = admin().upload("/api/v1/models/" + model + "/checkpoints", metadata("1.0.0"), onnx, "a.onnx")
                .json().get("id").asString();
        var child = admin().upload("/api/v1/models/" + model + "/checkpoints",
                Map.of("version", "1.1.0", "license", "MIT", "parentCheckpointId", parent), onnx, "b.onnx");
        assertThat(child.status()).as(child.body()).isEqualTo(201);

        var lineage = admin().get("/api/v1/checkpoints/" + child.json().get("id").asString() + "/lineage").json();
        assertThat(lineage.get("ancestors").get(0).get("id").asString()).isEqualTo(parent);
        var parentLineage = admin().get("/api/v1/checkpoints/" + parent + "/lineage").json();
        assertThat(parentLineage.get("children").get(0).get("version").asString()).isEqualTo("1.1.0");

        var badParent = admin().upload("/api/v1/models/" + model + "/checkpoints",
                Map.of("version", "1.2.0", "license", "MIT", "parentCheckpointId", java.util.UUID.randomUUID()), onnx,
                "c.onnx");
        assertThat(badParent.status()).isEqualTo(400);
        assertThat(badParent.json().get("field").asString()).isEqualTo("parentCheckpointId");
    }
}
