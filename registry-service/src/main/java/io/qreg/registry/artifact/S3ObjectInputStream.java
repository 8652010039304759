package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import lombok.RequiredArgsConstructor;

/**
 * An object's bytes from a GET that is only sent at the first read, so that skips before it
 * become the start of a ranged GET. Spring MVC serves a {@code Range} request by opening the
 * resource, skipping to the range's start and reading its length; this way only the range
 * (plus what is in flight when the stream is closed) crosses the network, not the whole prefix.
 */
@RequiredArgsConstructor
final class S3ObjectInputStream extends BulkInputStream {

    private final S3Client client;
    private final String bucket;
    private final String key;
    private long position;
    private ResponseInputStream<GetObjectResponse> body;
    private boolean endReached;
    private boolean closed;

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        InputStream in = open();
        if (in == null) {
            return -1;
        }
        int n = in.read(buffer, offset, length);
        if (n < 0) {
            endReached = true;
        } else {
            position += n;
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        if (n <= 0) {
            return 0;
        }
        if (body == null) {
            position += n;
            return n;
        }
        long skipped = body.skip(n);
        position += skipped;
        return skipped;
    }

    private InputStream open() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (body == null && !endReached) {
            try {
                body = client.getObject(b -> b.bucket(bucket).key(key).range(position > 0 ? "bytes=" + position + "-" : null));
            } catch (S3Exception e) {
                if (e.statusCode() == 416) {
                    // Skipped to or past the end: nothing left, as a file would behave.
                    endReached = true;
                    return null;
                }
                throw new IOException("cannot read s3 object " + key + ": " + e.getMessage(), e);
            }
        }
        return endReached ? null : body;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (body != null) {
            if (!endReached) {
                // A range read stops early; draining the rest to reuse the connection would
                // download what the client did not ask for, so the connection is dropped.
                body.abort();
            }
            body.close();
        }
    }
}
