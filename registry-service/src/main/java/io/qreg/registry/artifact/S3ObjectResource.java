package io.qreg.registry.artifact;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

import org.springframework.core.io.AbstractResource;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import lombok.RequiredArgsConstructor;

/**
 * A blob in S3 as a Spring resource: length and time from one HEAD, bytes from a GET per
 * {@link #getInputStream()} that starts where the reader first skips to, so Spring MVC's range
 * support (which regions a resource by skip-then-read) fetches only the requested bytes.
 */
@RequiredArgsConstructor
final class S3ObjectResource extends AbstractResource {

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final String sha256;
    private HeadObjectResponse head;

    /** One HEAD per resource: Spring asks for the length several times while serving it. */
    private synchronized HeadObjectResponse head() throws FileNotFoundException {
        if (head == null) {
            try {
                head = client.headObject(b -> b.bucket(bucket).key(key));
            } catch (NoSuchKeyException e) {
                throw new FileNotFoundException(getDescription() + " does not exist");
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    throw new FileNotFoundException(getDescription() + " does not exist");
                }
                throw e;
            }
        }
        return head;
    }

    @Override
    public boolean exists() {
        try {
            head();
            return true;
        } catch (FileNotFoundException e) {
            return false;
        }
    }

    @Override
    public long contentLength() throws IOException {
        return head().contentLength();
    }

    @Override
    public long lastModified() throws IOException {
        return head().lastModified().toEpochMilli();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        head();
        return new S3ObjectInputStream(client, bucket, key);
    }

    @Override
    public String getFilename() {
        return sha256;
    }

    @Override
    public String getDescription() {
        return "s3 object [" + bucket + "/" + key + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof S3ObjectResource that && bucket.equals(that.bucket) && key.equals(that.key);
    }

    @Override
    public int hashCode() {
        return bucket.hashCode() * 31 + key.hashCode();
    }
}
