package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import lombok.RequiredArgsConstructor;

/**
 * One file uploaded in parts. Each part carries a SHA-256 checksum the server verifies on
 * receipt and again when the parts are joined; any failure aborts the upload, so the server
 * neither shows a partial object nor keeps the uploaded parts.
 */
@RequiredArgsConstructor
final class S3MultipartUpload {

    private static final Logger log = LoggerFactory.getLogger(S3MultipartUpload.class);
    /** S3 joins at most this many parts. */
    private static final long MAX_PARTS = 10_000;

    private final S3Client client;
    private final String bucket;
    private final String key;

    void upload(Path file, long size, long preferredPartSize, Map<String, String> metadata) {
        // Grows the part size rather than failing for a file that would need more parts than S3 joins.
        long partSize = Math.max(preferredPartSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key).metadata(metadata)
                .contentType("application/octet-stream").checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < size; offset += partSize, number++) {
                parts.add(uploadPart(uploadId, number, file, offset, Math.min(partSize, size - offset)));
            }
            client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            abort(uploadId, e);
            throw e;
        }
    }

    private CompletedPart uploadPart(String uploadId, int number, Path file, long offset, long length) {
        // A provider rather than one stream: the SDK opens the part again to sign it and on a retry.
        RequestBody body = RequestBody.fromContentProvider(() -> FileSlice.open(file, offset, length), length,
                "application/octet-stream");
        UploadPartResponse part = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .partNumber(number).contentLength(length).checksumAlgorithm(ChecksumAlgorithm.SHA256), body);
        return CompletedPart.builder().partNumber(number).eTag(part.eTag()).checksumSHA256(part.checksumSHA256())
                .build();
    }

    private void abort(String uploadId, Exception cause) {
        try {
            client.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (RuntimeException e) {
            // The server is likely unreachable; the abandoned-upload sweep at start will retry.
            cause.addSuppressed(e);
            log.warn("could not abort multipart upload {} of {}", uploadId, key, e);
        }
    }

    /** {@code length} bytes of a file from {@code offset}, failing if the file ends sooner. */
    private static final class FileSlice extends BulkInputStream {

        private final FileChannel channel;
        private long position;
        private final long end;

        private FileSlice(FileChannel channel, long offset, long length) {
            this.channel = channel;
            this.position = offset;
            this.end = offset + length;
        }

        static InputStream open(Path file, long offset, long length) {
            try {
                return new FileSlice(FileChannel.open(file, StandardOpenOption.READ), offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read staged file " + file, e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (position >= end) {
                return -1;
            }
            int wanted = (int) Math.min(length, end - position);
            int n = channel.read(ByteBuffer.wrap(buffer, offset, wanted), position);
            if (n < 0) {
                throw new IOException("staged file ended " + (end - position) + " bytes early");
            }
            position += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
