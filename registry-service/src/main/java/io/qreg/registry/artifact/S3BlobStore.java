package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Blobs as objects {@code <prefix>ab/cd/<sha256>} in an S3 bucket. Uploads are staged on local
 * disk first (hashing needs all bytes before the key is known), then sent in one PUT or, past
 * the part size, as a multipart upload. S3 makes an object visible only once it is complete,
 * which gives the "never half written" promise of {@link BlobStore}.
 */
public class S3BlobStore implements BlobStore, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(S3BlobStore.class);
    /** The metadata entry (x-amz-meta-sha256) that records what the staging step hashed. */
    static final String SHA256_METADATA = "sha256";
    /**
     * Multipart uploads older than this at start belong to a process that died mid-upload; no
     * live upload of a file within the upload limit takes that long.
     */
    static final Duration ABANDONED_UPLOAD_AGE = Duration.ofDays(1);

    private final S3Client client;
    private final S3Settings settings;
    private final Path staging;

    public S3BlobStore(S3Client client, S3Settings settings, Path stagingDirectory) {
        this.client = client;
        this.settings = settings;
        this.staging = StagingArea.prepare(stagingDirectory);
        ensureBucket();
        abortAbandonedUploads(Instant.now().minus(ABANDONED_UPLOAD_AGE));
    }

    /** Creates the bucket on first start, so a fresh object store needs no separate set-up step. */
    private void ensureBucket() {
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
            return;
        } catch (NoSuchBucketException e) {
            // created below
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw new IllegalStateException("cannot reach bucket " + settings.bucket() + " at "
                        + settings.endpoint() + ": " + e.getMessage(), e);
            }
        } catch (SdkException e) {
            throw new IllegalStateException("cannot reach the S3 endpoint " + settings.endpoint() + ": "
                    + e.getMessage(), e);
        }
        try {
            client.createBucket(b -> b.bucket(settings.bucket()));
            log.info("created bucket {} at {}", settings.bucket(), settings.endpoint());
        } catch (BucketAlreadyOwnedByYouException e) {
            // another instance created it meanwhile
        }
    }

    private void abortAbandonedUploads(Instant initiatedBefore) {
        try {
            for (MultipartUpload upload : client.listMultipartUploadsPaginator(b -> b.bucket(settings.bucket())
                    .prefix(settings.prefix())).uploads()) {
                if (upload.initiated() != null && upload.initiated().isBefore(initiatedBefore)) {
                    client.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(upload.key())
                            .uploadId(upload.uploadId()));
                    log.warn("aborted multipart upload of {} started {} by an interrupted process", upload.key(),
                            upload.initiated());
                }
            }
        } catch (SdkException e) {
            // Not every S3-compatible server lists uploads; a bucket lifecycle rule can do this instead.
            log.warn("could not look for abandoned multipart uploads: {}", e.getMessage());
        }
    }

    @Override
    public Path stagingDirectory() {
        return staging;
    }

    String keyOf(String sha256) {
        return settings.keyOf(sha256);
    }

    @Override
    public boolean contains(String sha256) {
        return head(keyOf(sha256)) != null;
    }

    private HeadObjectResponse head(String key) {
        try {
            return client.headObject(b -> b.bucket(settings.bucket()).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public void put(String sha256, Path stagedFile) throws IOException {
        String key = keyOf(sha256);
        if (head(key) != null) {
            Files.deleteIfExists(stagedFile);
            return;
        }
        long size = Files.size(stagedFile);
        Map<String, String> metadata = Map.of(SHA256_METADATA, sha256);
        try {
            if (size <= settings.partSizeBytes()) {
                // The server recomputes SHA-256 over the body and refuses the PUT if it differs
                // from the digest staging computed: the stored bytes are the addressed bytes.
                String checksum = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256));
                client.putObject(b -> b.bucket(settings.bucket()).key(key).contentLength(size)
                        .contentType("application/octet-stream").metadata(metadata).checksumSHA256(checksum),
                        RequestBody.fromFile(stagedFile));
            } else {
                new S3MultipartUpload(client, settings.bucket(), key)
                        .upload(stagedFile, size, settings.partSizeBytes(), metadata);
            }
        } catch (SdkException | UncheckedIOException e) {
            throw new IOException("cannot upload blob " + sha256 + " to " + settings.bucket() + "/" + key + ": "
                    + e.getMessage(), e);
        }
        verify(sha256, key, size);
        Files.deleteIfExists(stagedFile);
    }

    /** Trusts the upload only once the object the server reports is the one sent. */
    private void verify(String sha256, String key, long size) throws IOException {
        HeadObjectResponse stored = head(key);
        if (stored == null || stored.contentLength() != size
                || !sha256.equals(stored.metadata().get(SHA256_METADATA))) {
            String seen = stored == null ? "no object"
                    : stored.contentLength() + " bytes, sha256 " + stored.metadata().get(SHA256_METADATA);
            client.deleteObject(b -> b.bucket(settings.bucket()).key(key));
            throw new IOException("blob " + sha256 + " of " + size + " bytes was stored as " + seen);
        }
    }

    @Override
    public Resource open(String sha256) {
        return new S3ObjectResource(client, settings.bucket(), keyOf(sha256), sha256);
    }

    @Override
    public void delete(String sha256) throws IOException {
        try {
            client.deleteObject(b -> b.bucket(settings.bucket()).key(keyOf(sha256)));
        } catch (SdkException e) {
            throw new IOException("cannot delete blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredBlob> list() throws IOException {
        List<StoredBlob> blobs = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(settings.bucket())
                    .prefix(settings.prefix())).contents()) {
                String name = object.key().substring(object.key().lastIndexOf('/') + 1);
                // Only keys this store writes: the bucket or prefix may be shared with other things.
                if (BlobDigest.isSha256(name) && object.key().equals(keyOf(name))) {
                    blobs.add(new StoredBlob(name, object.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw new IOException("cannot list bucket " + settings.bucket() + ": " + e.getMessage(), e);
        }
        return blobs;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "S3 bucket " + settings.bucket() + " at " + settings.endpoint() + " (prefix '" + settings.prefix()
                + "')";
    }
}
