package io.qreg.registry.artifact;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import lombok.RequiredArgsConstructor;

/**
 * At start-up, removes blobs that no database row knows: what a crash between moving an upload
 * into the store and committing its row leaves behind. Blobs younger than a grace period are
 * spared, since another instance sharing the store may be about to commit them.
 */
@Component
@RequiredArgsConstructor
class BlobJanitor implements ApplicationRunner {

    static final Duration GRACE = Duration.ofMinutes(15);
    private static final Logger log = LoggerFactory.getLogger(BlobJanitor.class);

    private final BlobStore store;
    private final Blobs blobs;

    @Override
    public void run(ApplicationArguments args) {
        try {
            sweep(Instant.now().minus(GRACE));
        } catch (IOException | RuntimeException e) {
            log.warn("could not sweep unreferenced blobs; will try again at the next start", e);
        }
    }

    /** Deletes unreferenced blobs stored before {@code cutoff}; returns their digests. */
    List<String> sweep(Instant cutoff) throws IOException {
        Set<String> known = new HashSet<>(blobs.allDigests());
        List<String> orphans = store.list().stream()
                .filter(b -> !known.contains(b.sha256()) && b.storedAt().isBefore(cutoff))
                .map(BlobStore.StoredBlob::sha256).toList();
        for (String sha256 : orphans) {
            store.delete(sha256);
            log.warn("removed blob {}: no database row refers to it (an upload interrupted before commit)", sha256);
        }
        return orphans;
    }
}
