package io.qreg.registry.support;

import java.net.URI;
import java.util.UUID;

import io.qreg.registry.artifact.S3Settings;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;

/**
 * A real S3-compatible server for tests: S3Proxy in this JVM, on jclouds' in-memory
 * ("transient") backend, on a free loopback port, with signature checking on so that the
 * client's credentials and signing are exercised as against a real object store.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "qreg-test-access";
    public static final String SECRET_KEY = "qreg-test-secret";

    private final BlobStoreContext context;
    private final S3Proxy proxy;

    private S3ProxyServer(BlobStoreContext context, S3Proxy proxy) {
        this.context = context;
        this.proxy = proxy;
    }

    public static S3ProxyServer start() {
        // By API metadata rather than by name: a lookup by name loads every provider S3Proxy's
        // jar declares, including cloud backends whose client libraries are left out.
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata())
                .credentials("unused", "unused")
                .build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("cannot start s3proxy", e);
        }
        return new S3ProxyServer(context, proxy);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** Client settings for a bucket of its own on this server (not yet created), blobs under {@code sha256/}. */
    public S3Settings settingsForNewBucket(long partSize) {
        return new S3Settings(endpoint(), "qreg-" + UUID.randomUUID().toString().substring(0, 8), ACCESS_KEY,
                SECRET_KEY, "us-east-1", "sha256/", partSize);
    }

    @Override
    public void close() throws Exception {
        try {
            proxy.stop();
        } finally {
            context.close();
        }
    }
}
