package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class BlobJanitorIT extends IntegrationTest {

    @Autowired
    BlobJanitor janitor;

    @Autowired
    BlobStore store;

    @Test
    void blobWithoutARowIsSweptAndReferencedBlobsAreKept() throws Exception {
        String model = unique("kept");
        admin().post("/api/v1/models", Map.of("name", model, "task", "other"));
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        admin().upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", "1", "license", "MIT"), onnx, "m.onnx");

        // What a crash between the move into the store and the commit leaves: a file, no row.
        Path staged = Files.createTempFile(store.stagingDirectory(), "orphan", ".part");
        Files.writeString(staged, "bytes whose upload never committed");
        String orphan = Fixtures.sha256(Files.readAllBytes(staged));
        store.put(orphan, staged);
        assertThat(store.contains(orphan)).isTrue();

        assertThat(janitor.sweep(Instant.now().minusSeconds(3600))).as("young orphans are spared").doesNotContain(orphan);
        assertThat(janitor.sweep(Instant.now().plusSeconds(1))).containsExactly(orphan);

        assertThat(store.contains(orphan)).isFalse();
        assertThat(store.contains(Fixtures.sha256(onnx))).isTrue();
    }
}
