package io.qreg.registry.artifact;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Small objects under keys that are written once and never overwritten or deleted by the registry:
 * the anchors of facts the database must not be able to rewrite (the audit log's signed tree heads).
 * Kept apart from the content-addressed blobs, so {@link BlobJanitor}, which trusts the database,
 * never sees them.
 */
public interface WriteOnceStore {

    /** Stores {@code content} under {@code key} unless the key exists; false (nothing written) when it does. */
    boolean create(String key, byte[] content) throws IOException;

    Optional<byte[]> read(String key) throws IOException;

    /** Every key that starts with {@code prefix}, in lexicographic order. */
    List<String> list(String prefix) throws IOException;
}
