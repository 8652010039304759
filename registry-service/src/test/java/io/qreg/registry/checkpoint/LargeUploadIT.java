package io.qreg.registry.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.qreg.registry.support.SyntheticOnnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads are streamed: a 1 GiB checkpoint goes through a registry whose heap is capped at 256 MiB. */
class LargeUploadIT {

    private static final long ONE_GIB = 1024L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void oneGibCheckpointUploadsWithHeapCappedAt256MiB() throws Exception {
        Path model = SyntheticOnnx.write(dir.resolve("large.onnx"), ONE_GIB, 42);
        long size = Files.size(model);
        String sha = Fixtures.sha256(model);

        try (RegistryProcess registry = RegistryProcess.start(dir.resolve("qreg-data"), "256m", Map.of())) {
            var api = registry.api(IntegrationTest.ADMIN_TOKEN);
            var heapMax = api.get("/actuator/metrics/jvm.memory.max?tag=area:heap").json();
            assertThat(heapMax.get("measurements").get(0).get("value").asDouble())
                    .as("the registry really runs with a 256 MiB heap").isLessThanOrEqualTo(256.0 * 1024 * 1024);

            assertThat(api.post("/api/v1/models", Map.of("name", "large", "task", "language-model")).status())
                    .isEqualTo(201);
            var reply = api.upload("/api/v1/models/large/checkpoints",
                    Map.of("version", "1.0.0", "license", "Apache-2.0", "sha256", sha), model, "large.onnx");

            assertThat(reply.status()).as(reply.body() + "\n" + registry.tail()).isEqualTo(201);
            assertThat(reply.json().get("sha256").asString()).isEqualTo(sha);
            assertThat(reply.json().get("sizeBytes").asLong()).isEqualTo(size);
            assertThat(reply.json().get("opset").asLong()).isEqualTo(17);

            String id = reply.json().get("id").asString();
            var tail = api.client().send(api.request("/api/v1/checkpoints/" + id + "/content")
                    .header("Range", "bytes=" + (size - 16) + "-").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(tail.statusCode()).isEqualTo(206);
            byte[] expectedTail = new byte[16];
            try (var file = new java.io.RandomAccessFile(model.toFile(), "r")) {
                file.seek(size - 16);
                file.readFully(expectedTail);
            }
            assertThat(tail.body()).isEqualTo(expectedTail);
        } finally {
            Files.deleteIfExists(model);
        }
    }
}
