package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.qreg.registry.support.S3ProxyServer;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.s3.S3Client;

/** Both write-once stores, for real: a directory, and a bucket on an S3-compatible server (S3Proxy). */
class WriteOnceStoreTest {

    @AutoClose
    private static final S3ProxyServer server = S3ProxyServer.start();

    @TempDir
    Path artifacts;

    @Test
    void aFileKeyIsWrittenOnceNeverOverwrittenAndListedByPrefix() throws Exception {
        WriteOnceStore store = new FilesystemWriteOnceStore(artifacts);
        checkWriteOnce(store);
        assertThat(Files.readString(artifacts.resolve("audit/tree-heads/a.json"))).isEqualTo("first");
        try (var left = Files.list(artifacts.resolve("audit/tree-heads"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no temporary files left")
                    .containsExactlyInAnyOrder("a.json", "b.json");
        }
    }

    @Test
    void anS3KeyIsWrittenOnceNeverOverwrittenAndListedByPrefix() throws Exception {
        S3Settings settings = server.settingsForNewBucket(S3Settings.MIN_PART_SIZE);
        try (S3Client client = S3Clients.create(settings)) {
            client.createBucket(b -> b.bucket(settings.bucket()));
            checkWriteOnce(new S3WriteOnceStore(client, settings.bucket()));
        }
    }

    private static void checkWriteOnce(WriteOnceStore store) throws Exception {
        assertThat(store.create("audit/tree-heads/a.json", bytes("first"))).isTrue();
        assertThat(store.create("audit/tree-heads/a.json", bytes("second"))).isFalse();
        assertThat(store.create("audit/tree-heads/b.json", bytes("other"))).isTrue();
        assertThat(store.create("audit/elsewhere/c.json", bytes("elsewhere"))).isTrue();

        assertThat(new String(store.read("audit/tree-heads/a.json").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("first");
        assertThat(store.read("audit/tree-heads/missing.json")).isEmpty();
        assertThat(store.list("audit/tree-heads/")).containsExactly("audit/tree-heads/a.json",
                "audit/tree-heads/b.json");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
