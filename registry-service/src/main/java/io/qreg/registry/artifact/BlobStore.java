package io.qreg.registry.artifact;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.springframework.core.io.Resource;

/**
 * Immutable blobs addressed by their sha256. Putting the same bytes twice keeps one copy;
 * a blob is only ever added whole, never visible half written.
 */
public interface BlobStore {

    /** Where uploads are spooled before they are put; on the same volume, so a put can be a rename. */
    Path stagingDirectory();

    boolean contains(String sha256);

    /** Moves a verified staging file into the store; a no-op (deleting the staging file) if present. */
    void put(String sha256, Path stagedFile) throws IOException;

    /** The blob, as a resource that supports ranges. */
    Resource open(String sha256);

    void delete(String sha256) throws IOException;

    /** Every stored blob with the time it was stored: what the janitor compares with the database. */
    List<StoredBlob> list() throws IOException;

    /** A blob's digest and when it was put. */
    record StoredBlob(String sha256, Instant storedAt) {
    }
}
