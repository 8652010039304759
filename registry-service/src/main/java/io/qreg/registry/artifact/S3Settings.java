package io.qreg.registry.artifact;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Where and how the S3 store keeps blobs (the {@code QREG_S3_*} settings).
 *
 * @param partSizeBytes files up to this size go up in one PUT, larger ones in parts of this size
 */
public record S3Settings(URI endpoint, String bucket, String accessKey, String secretKey, String region,
        String prefix, long partSizeBytes) {

    /** S3's floor for every part but the last. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Few enough requests for multi-GiB checkpoints, small enough to retry a part cheaply. */
    public static final long DEFAULT_PART_SIZE = 64L * 1024 * 1024;

    public S3Settings {
        if (endpoint == null || bucket == null || bucket.isBlank() || accessKey == null || accessKey.isBlank()
                || secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("endpoint, bucket, access key and secret key are all required");
        }
        if (region == null || region.isBlank()) {
            throw new IllegalArgumentException("region is required (any name will do for most S3-compatible servers)");
        }
        prefix = prefix == null ? "" : prefix;
        if (prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must not start with '/': " + prefix);
        }
        if (partSizeBytes < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least " + MIN_PART_SIZE + " bytes");
        }
    }

    /**
     * The settings from the {@code qreg.s3.*} properties, or null when no endpoint is set (the
     * filesystem store is used). A set endpoint with a missing bucket or key is a mistake that
     * would otherwise surface only at the first upload, so it stops the start with the names
     * of the variables to set.
     */
    public static S3Settings fromProperties(String endpoint, String bucket, String accessKey, String secretKey,
            String region, String prefix) {
        if (endpoint == null || endpoint.isBlank()) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        if (bucket == null || bucket.isBlank()) {
            missing.add("QREG_S3_BUCKET");
        }
        if (accessKey == null || accessKey.isBlank()) {
            missing.add("QREG_S3_ACCESS_KEY");
        }
        if (secretKey == null || secretKey.isBlank()) {
            missing.add("QREG_S3_SECRET_KEY");
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("QREG_S3_ENDPOINT is set (" + endpoint + ") but "
                    + String.join(", ", missing) + (missing.size() == 1 ? " is" : " are")
                    + " blank; set them, or unset QREG_S3_ENDPOINT to use the filesystem store");
        }
        URI uri = URI.create(endpoint.trim());
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalStateException("QREG_S3_ENDPOINT must be a URL such as http://object-store:9000, not "
                    + endpoint);
        }
        return new S3Settings(uri, bucket.trim(), accessKey, secretKey,
                region == null || region.isBlank() ? "us-east-1" : region.trim(), prefix, DEFAULT_PART_SIZE);
    }

    /** The same store with another part size: tests use S3's minimum to exercise multipart cheaply. */
    public S3Settings withPartSize(long bytes) {
        return new S3Settings(endpoint, bucket, accessKey, secretKey, region, prefix, bytes);
    }

    /** The object key of a blob: {@code <prefix>ab/cd/<sha256>}. */
    public String keyOf(String sha256) {
        return prefix + BlobDigest.fanOut(sha256);
    }

    /** Never print the secret, e.g. in a failed-start message. */
    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint + ", bucket=" + bucket + ", region=" + region + ", prefix=" + prefix
                + ", partSizeBytes=" + partSizeBytes + "]";
    }
}
