package io.qreg.registry.artifact;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Chooses the artifact store: an S3 bucket when {@code QREG_S3_ENDPOINT} is set, otherwise the
 * filesystem under the data directory. Uploads are staged under the data directory either way.
 */
@Configuration
class ArtifactConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ArtifactConfiguration.class);

    /** Where artifacts live: {@code artifacts/} in the data dir, and the bucket when {@code qreg.s3.*} name one. */
    record ArtifactLocation(Path directory, S3Settings s3) {
    }

    @Bean
    ArtifactLocation artifactLocation(@Value("${qreg.data-dir}") Path dataDir,
            @Value("${qreg.s3.endpoint:}") String endpoint,
            @Value("${qreg.s3.bucket:}") String bucket,
            @Value("${qreg.s3.access-key:}") String accessKey,
            @Value("${qreg.s3.secret-key:}") String secretKey,
            @Value("${qreg.s3.region:us-east-1}") String region,
            @Value("${qreg.s3.prefix:sha256/}") String prefix) {
        return new ArtifactLocation(dataDir.resolve("artifacts").toAbsolutePath(),
                S3Settings.fromProperties(endpoint, bucket, accessKey, secretKey, region, prefix));
    }

    @Bean
    BlobStore blobStore(ArtifactLocation where) {
        if (where.s3() == null) {
            log.info("artifact store: filesystem under {}", where.directory());
            return new FilesystemBlobStore(where.directory());
        }
        S3BlobStore store = new S3BlobStore(S3Clients.create(where.s3()), where.s3(),
                where.directory().resolve("staging"));
        log.info("artifact store: {}, staging under {}", store, store.stagingDirectory());
        return store;
    }

    /**
     * Beside the blobs, in the same bucket or directory, write-once objects the blob janitor never sees:
     * the filesystem's live under {@code artifacts/} but outside {@code artifacts/sha256}; S3's under keys
     * outside the blob prefix.
     */
    @Bean
    WriteOnceStore writeOnceStore(ArtifactLocation where) {
        WriteOnceStore store = where.s3() == null ? new FilesystemWriteOnceStore(where.directory())
                : new S3WriteOnceStore(S3Clients.create(where.s3()), where.s3().bucket());
        log.info("anchor store: {}", store);
        return store;
    }
}
