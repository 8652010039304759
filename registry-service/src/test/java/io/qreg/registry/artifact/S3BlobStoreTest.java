package io.qreg.registry.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.S3ProxyServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.ResourceRegion;
import org.springframework.http.HttpRange;
import org.springframework.http.MediaType;
import org.springframework.http.converter.ResourceRegionHttpMessageConverter;
import org.springframework.mock.http.MockHttpOutputMessage;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/** The S3 store against a real S3-compatible server (S3Proxy), one fresh bucket per test. */
class S3BlobStoreTest {

    private static final long PART = S3Settings.MIN_PART_SIZE;
    @AutoClose
    private static final S3ProxyServer server = S3ProxyServer.start();

    @TempDir
    Path staging;

    private S3Settings settings;
    /** What each test's store sent, seen through the SDK's own extension point. */
    private final List<Object> requests = new CopyOnWriteArrayList<>();
    private Runnable afterFirstPart = () -> { };
    private S3Client client;
    private S3BlobStore store;

    @BeforeEach
    void openStore() {
        settings = server.settingsForNewBucket(PART);
        client = S3Clients.builder(settings).overrideConfiguration(c -> c.addExecutionInterceptor(new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                requests.add(context.request());
            }

            @Override
            public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
                if (context.request() instanceof UploadPartRequest part && part.partNumber() == 1) {
                    afterFirstPart.run();
                }
            }
        })).build();
        store = new S3BlobStore(client, settings, staging);
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Path stage(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(store.stagingDirectory(), "upload-", ".part");
        Files.write(file, bytes);
        return file;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] read(Resource resource) throws IOException {
        try (InputStream in = resource.getInputStream()) {
            return in.readAllBytes();
        }
    }

    private List<String> objectKeys() {
        return client.listObjectsV2(b -> b.bucket(settings.bucket())).contents().stream()
                .map(o -> o.key()).toList();
    }

    private int pendingMultipartUploads() {
        return client.listMultipartUploads(b -> b.bucket(settings.bucket())).uploads().size();
    }

    @Test
    void createsItsBucketThenStoresReadsListsAndDeletesABlob() throws IOException {
        byte[] bytes = Fixtures.bytes("digits_mlp.onnx");
        String sha256 = Fixtures.sha256(bytes);
        Path staged = stage(bytes);

        store.put(sha256, staged);

        assertThat(staged).doesNotExist();
        assertThat(store.contains(sha256)).isTrue();
        assertThat(objectKeys()).containsExactly(
                "sha256/" + sha256.substring(0, 2) + "/" + sha256.substring(2, 4) + "/" + sha256);
        Resource resource = store.open(sha256);
        assertThat(resource.exists()).isTrue();
        assertThat(resource.contentLength()).isEqualTo(bytes.length);
        assertThat(read(resource)).isEqualTo(bytes);
        assertThat(store.list()).singleElement().satisfies(blob -> {
            assertThat(blob.sha256()).isEqualTo(sha256);
            assertThat(blob.storedAt()).isBetween(Instant.now().minus(Duration.ofMinutes(1)),
                    Instant.now().plus(Duration.ofMinutes(1)));
        });

        store.delete(sha256);

        assertThat(store.contains(sha256)).isFalse();
        assertThat(store.open(sha256).exists()).isFalse();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aRangeIsServedByOneGetStartingAtTheRangeNotByReadingThePrefix() throws IOException {
        byte[] bytes = randomBytes(256 * 1024);
        String sha256 = Fixtures.sha256(bytes);
        store.put(sha256, stage(bytes));
        requests.clear();

        // What Spring MVC does for "Range: bytes=100000-100999" on a Resource body.
        ResourceRegion region = HttpRange.createByteRange(100_000, 100_999).toResourceRegion(store.open(sha256));
        MockHttpOutputMessage response = new MockHttpOutputMessage();
        new ResourceRegionHttpMessageConverter().write(region, MediaType.APPLICATION_OCTET_STREAM, response);

        assertThat(response.getBodyAsBytes()).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100_000, 101_000));
        assertThat(response.getHeaders().getFirst("Content-Range")).isEqualTo("bytes 100000-100999/262144");
        assertThat(requests).filteredOn(GetObjectRequest.class::isInstance)
                .extracting(r -> ((GetObjectRequest) r).range())
                .containsExactly("bytes=100000-");
    }

    @Test
    void theSameDigestPutTwiceKeepsOneObjectAndDeletesTheSecondStagedFile() throws IOException {
        byte[] bytes = "same bytes, uploaded twice".getBytes(StandardCharsets.UTF_8);
        String sha256 = Fixtures.sha256(bytes);
        store.put(sha256, stage(bytes));
        Path second = stage(bytes);
        requests.clear();

        store.put(sha256, second);

        assertThat(second).doesNotExist();
        assertThat(objectKeys()).hasSize(1);
        assertThat(requests).as("no second upload").noneMatch(r -> r.getClass().getSimpleName().startsWith("Put"));
        assertThat(read(store.open(sha256))).isEqualTo(bytes);
    }

    @Test
    void aFileLargerThanThePartSizeGoesUpInPartsAndRoundTripsByteForByte() throws IOException {
        byte[] bytes = randomBytes(12 * 1024 * 1024);
        String sha256 = Fixtures.sha256(bytes);
        Path staged = stage(bytes);

        store.put(sha256, staged);

        assertThat(requests).filteredOn(UploadPartRequest.class::isInstance)
                .extracting(r -> ((UploadPartRequest) r).contentLength())
                .containsExactly(PART, PART, 12L * 1024 * 1024 - 2 * PART);
        assertThat(staged).doesNotExist();
        assertThat(Fixtures.sha256(read(store.open(sha256)))).isEqualTo(sha256);
        assertThat(client.headObject(b -> b.bucket(settings.bucket()).key(store.keyOf(sha256))).metadata())
                .containsEntry("sha256", sha256);
        assertThat(pendingMultipartUploads()).isZero();
    }

    @Test
    void anUploadThatFailsMidwayLeavesNoObjectAndNoPendingMultipartUpload() throws IOException {
        byte[] bytes = randomBytes(12 * 1024 * 1024);
        String sha256 = Fixtures.sha256(bytes);
        Path staged = stage(bytes);
        List<Integer> pendingWhenItFailed = new CopyOnWriteArrayList<>();
        // The staged file vanishes (a disk fault, an operator's clean-up) once part 1 is up.
        afterFirstPart = () -> {
            pendingWhenItFailed.add(pendingMultipartUploads());
            staged.toFile().delete();
        };

        assertThatThrownBy(() -> store.put(sha256, staged)).isInstanceOf(IOException.class)
                .hasMessageContaining(sha256);

        assertThat(pendingWhenItFailed).as("the server lists an upload in progress").containsExactly(1);
        assertThat(store.contains(sha256)).isFalse();
        assertThat(objectKeys()).isEmpty();
        assertThat(pendingMultipartUploads()).isZero();
    }

    @Test
    void bytesThatDoNotMatchTheirDigestAreRefusedByTheServer() throws IOException {
        String claimed = Fixtures.sha256("what staging hashed".getBytes(StandardCharsets.UTF_8));
        Path staged = stage("what the file holds by the time it is uploaded".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.put(claimed, staged)).isInstanceOf(IOException.class);

        assertThat(store.contains(claimed)).isFalse();
        assertThat(objectKeys()).isEmpty();
    }

    @Test
    void listingSkipsObjectsThatAreNotBlobsOfThisStore() throws IOException {
        byte[] bytes = "a blob".getBytes(StandardCharsets.UTF_8);
        String sha256 = Fixtures.sha256(bytes);
        store.put(sha256, stage(bytes));
        client.putObject(b -> b.bucket(settings.bucket()).key("sha256/notes.txt"), RequestBody.fromString("x"));
        client.putObject(b -> b.bucket(settings.bucket()).key("other/" + sha256), RequestBody.fromString("x"));

        assertThat(store.list()).extracting(BlobStore.StoredBlob::sha256).containsExactly(sha256);
    }

    @Test
    void aStoreOnAnExistingBucketKeepsItsBlobs() throws IOException {
        byte[] bytes = "kept across restarts".getBytes(StandardCharsets.UTF_8);
        String sha256 = Fixtures.sha256(bytes);
        store.put(sha256, stage(bytes));
        Files.writeString(staging.resolve("upload-abandoned.part"), "left by a crash");

        try (S3BlobStore restarted = new S3BlobStore(S3Clients.create(settings), settings, staging)) {
            assertThat(restarted.contains(sha256)).isTrue();
            assertThat(staging).isEmptyDirectory();
        }
    }
}
