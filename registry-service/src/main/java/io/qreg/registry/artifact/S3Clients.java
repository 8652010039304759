package io.qreg.registry.artifact;

import java.time.Duration;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the S3 client the store talks through. */
public final class S3Clients {

    private S3Clients() {
    }

    public static S3Client create(S3Settings settings) {
        return builder(settings).build();
    }

    /** The configured builder, for callers that add to it (tests add interceptors). */
    public static S3ClientBuilder builder(S3Settings settings) {
        return S3Client.builder()
                .endpointOverride(settings.endpoint())
                .region(Region.of(settings.region()))
                // Path-style (endpoint/bucket/key): S3-compatible servers such as S3Proxy or MinIO
                // behind a plain host name have no DNS entry per bucket.
                .forcePathStyle(true)
                // Only the configured keys: never whatever the host's environment or profile holds.
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(settings.accessKey(), settings.secretKey())))
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        // Downloads stream to slow clients through the same connection.
                        .socketTimeout(Duration.ofMinutes(5))
                        .maxConnections(64));
    }
}
