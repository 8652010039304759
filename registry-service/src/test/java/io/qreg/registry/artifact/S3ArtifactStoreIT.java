package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.qreg.registry.support.S3ProxyServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** The registry as deployed with an object store: configured by QREG_S3_* alone. */
class S3ArtifactStoreIT {

    private static final String BUCKET = "qreg-artifacts";

    @TempDir
    Path dir;

    @Test
    void aCheckpointUploadedThroughTheApiIsKeptInTheBucketAndDownloadsByteIdentical() throws Exception {
        byte[] onnx = Fixtures.bytes("digits_mlp.onnx");
        String sha256 = Fixtures.sha256(onnx);
        Path data = dir.resolve("qreg-data");

        try (S3ProxyServer s3 = S3ProxyServer.start();
                RegistryProcess registry = RegistryProcess.start(data, "384m", Map.of(
                        "QREG_S3_ENDPOINT", s3.endpoint().toString(),
                        "QREG_S3_BUCKET", BUCKET,
                        "QREG_S3_ACCESS_KEY", S3ProxyServer.ACCESS_KEY,
                        "QREG_S3_SECRET_KEY", S3ProxyServer.SECRET_KEY))) {
            var api = registry.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(api.post("/api/v1/models", Map.of("name", "digits-s3", "task", "classification")).status())
                    .isEqualTo(201);

            var upload = api.upload("/api/v1/models/digits-s3/checkpoints",
                    Map.of("version", "1.0.0", "license", "MIT"), onnx, "digits_mlp.onnx");

            assertThat(upload.status()).as(upload.body()).isEqualTo(201);
            assertThat(upload.json().get("sha256").asString()).isEqualTo(sha256);
            String content = "/api/v1/checkpoints/" + upload.json().get("id").asString() + "/content";
            var download = api.client().send(api.request(content).GET().build(), BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(onnx);
            var range = api.client().send(api.request(content).header("Range", "bytes=100-1123").GET().build(),
                    BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(Arrays.copyOfRange(onnx, 100, 1124));

            S3Settings settings = new S3Settings(s3.endpoint(), BUCKET, S3ProxyServer.ACCESS_KEY,
                    S3ProxyServer.SECRET_KEY, "us-east-1", "sha256/", S3Settings.DEFAULT_PART_SIZE);
            try (S3Client client = S3Clients.create(settings)) {
                String key = "sha256/" + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256;
                HeadObjectResponse object = client.headObject(b -> b.bucket(BUCKET).key(key));
                assertThat(object.contentLength()).isEqualTo(onnx.length);
                assertThat(object.metadata()).containsEntry("sha256", sha256);
                // The audit log's signed tree heads are anchored write-once in the same bucket, outside the blob prefix.
                var anchors = Eventually.eventually(Duration.ofSeconds(30), () -> client.listObjectsV2(b -> b
                        .bucket(BUCKET).prefix("audit/tree-heads/")).contents(), c -> !c.isEmpty(), "an anchored head");
                assertThat(anchors).anyMatch(o -> o.key().endsWith(".json"));
            }
            assertThat(Files.exists(data.resolve("artifacts").resolve("audit")))
                    .as("no tree head kept on the local filesystem").isFalse();
            assertThat(Files.exists(data.resolve("artifacts").resolve("sha256")))
                    .as("nothing kept on the local filesystem store").isFalse();
            try (Stream<Path> staged = Files.list(data.resolve("artifacts").resolve("staging"))) {
                assertThat(staged).as("staging emptied").isEmpty();
            }
        }
    }
}
