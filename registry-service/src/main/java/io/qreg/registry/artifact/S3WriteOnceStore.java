package io.qreg.registry.artifact;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import lombok.RequiredArgsConstructor;

/**
 * Write-once objects in the artifact bucket under their key (outside the blob prefix). A PUT carries
 * {@code If-None-Match: *}, which S3 (and servers that implement conditional writes) refuse with 412
 * when the key exists. Servers that ignore the header would overwrite, so the key is also looked up
 * first: with such a server two writers racing for one key within that instant is the residual risk
 * (the registry's keys carry the signing time and a random suffix, so its own writers never race).
 */
@RequiredArgsConstructor
public class S3WriteOnceStore implements WriteOnceStore {

    private final S3Client client;
    private final String bucket;

    @Override
    public boolean create(String key, byte[] content) throws IOException {
        try {
            if (exists(key)) {
                return false;
            }
            client.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*").contentLength((long) content.length)
                    .contentType("application/octet-stream"), RequestBody.fromBytes(content));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw new IOException("cannot write " + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot write " + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    private boolean exists(String key) {
        try {
            client.headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public Optional<byte[]> read(String key) throws IOException {
        try {
            return Optional.of(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new IOException("cannot read " + bucket + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String prefix) throws IOException {
        List<String> keys = new ArrayList<>();
        try {
            for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
                keys.add(object.key());
            }
        } catch (SdkException e) {
            throw new IOException("cannot list " + bucket + "/" + prefix + ": " + e.getMessage(), e);
        }
        return keys.stream().sorted().toList();
    }

    @Override
    public String toString() {
        return "write-once objects in S3 bucket " + bucket;
    }
}
