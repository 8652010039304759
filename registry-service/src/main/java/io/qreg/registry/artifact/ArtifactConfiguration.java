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

    @Bean
    BlobStore blobStore(@Value("${qreg.data-dir}") Path dataDir,
            @Value("${qreg.s3.endpoint:}") String endpoint,
            @Value("${qreg.s3.bucket:}") String bucket,
            @Value("${qreg.s3.access-key:}") String accessKey,
            @Value("${qreg.s3.secret-key:}") String secretKey,
            @Value("${qreg.s3.region:us-east-1}") String region,
            @Value("${qreg.s3.prefix:sha256/}") String prefix) {
        Path artifacts = dataDir.resolve("artifacts").toAbsolutePath();
        S3Settings s3 = S3Settings.fromProperties(endpoint, bucket, accessKey, secretKey, region, prefix);
        if (s3 == null) {
            log.info("artifact store: filesystem under {}", artifacts);
            return new FilesystemBlobStore(artifacts);
        }
        S3BlobStore store = new S3BlobStore(S3Clients.create(s3), s3, artifacts.resolve("staging"));
        log.info("artifact store: {}, staging under {}", store, store.stagingDirectory());
        return store;
    }

    /**
     * Beside the blobs, in the same bucket or directory, write-once objects the blob janitor never sees:
     * the filesystem's live under {@code artifacts/} but outside {@code artifacts/sha256}; S3's under keys
     * outside the blob prefix.
     */
    @Bean
    WriteOnceStore writeOnceStore(@Value("${qreg.data-dir}") Path dataDir,
            @Value("${qreg.s3.endpoint:}") String endpoint,
            @Value("${qreg.s3.bucket:}") String bucket,
            @Value("${qreg.s3.access-key:}") String accessKey,
            @Value("${qreg.s3.secret-key:}") String secretKey,
            @Value("${qreg.s3.region:us-east-1}") String region,
            @Value("${qreg.s3.prefix:sha256/}") String prefix) {
        S3Settings s3 = S3Settings.fromProperties(endpoint, bucket, accessKey, secretKey, region, prefix);
        WriteOnceStore store = s3 == null
                ? new FilesystemWriteOnceStore(dataDir.resolve("artifacts").toAbsolutePath())
                : new S3WriteOnceStore(S3Clients.create(s3), s3.bucket());
        log.info("anchor store: {}", store);
        return store;
    }
}
