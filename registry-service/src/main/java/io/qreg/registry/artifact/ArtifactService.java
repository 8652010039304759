package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Receives uploads into staging (hashing as the bytes arrive, with constant memory) and commits
 * them into the content-addressed store together with the database rows that refer to them.
 *
 * <p>Why the advisory lock: the blob file and its row must appear and disappear together. Two
 * uploads of the same bytes, or an upload racing the clean-up of a failed one, serialise on a
 * lock keyed by the digest, held until the surrounding transaction ends.
 */
@Service
public class ArtifactService {

    private static final Logger log = LoggerFactory.getLogger(ArtifactService.class);
    private static final int COPY_BUFFER = 256 * 1024;

    private final BlobStore store;
    private final Blobs blobs;
    private final TransactionTemplate newTransaction;

    public ArtifactService(BlobStore store, Blobs blobs, TransactionTemplate transactionTemplate) {
        this.store = store;
        this.blobs = blobs;
        this.newTransaction = new TransactionTemplate(transactionTemplate.getTransactionManager());
        this.newTransaction.setPropagationBehavior(TransactionTemplate.PROPAGATION_REQUIRES_NEW);
    }

    /**
     * Copies the stream into a staging file while computing its sha256; deletes the file and
     * rethrows if the stream fails, is cut short, or grows past {@code maxBytes}.
     */
    public StagedFile stage(InputStream content, long maxBytes, String originalFilename) {
        Path file;
        try {
            file = Files.createTempFile(store.stagingDirectory(), "upload-", ".part");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging file", e);
        }
        MessageDigest sha256 = newSha256();
        long size = 0;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(file), sha256)) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = content.read(buffer)) >= 0) {
                size += n;
                if (size > maxBytes) {
                    throw new UploadTooLargeException(maxBytes);
                }
                out.write(buffer, 0, n);
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            deleteQuietly(file);
            if (e instanceof IOException io) {
                throw new MultipartException("upload interrupted: " + io.getMessage());
            }
            throw (RuntimeException) e;
        }
        forceToDisk(file);
        return new StagedFile(file, HexFormat.of().formatHex(sha256.digest()), size, originalFilename);
    }

    /**
     * Puts the staged bytes into the store and records the blob row, inside the caller's
     * transaction; if that transaction rolls back, a blob no committed row refers to is removed.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void commit(StagedFile staged) {
        blobs.lock(staged.sha256());
        try {
            store.put(staged.sha256(), staged.path());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store blob " + staged.sha256(), e);
        }
        blobs.insert(staged.sha256(), staged.sizeBytes(), Instant.now());
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                if (status != STATUS_COMMITTED) {
                    removeIfUnreferenced(staged.sha256());
                }
            }
        });
    }

    private void removeIfUnreferenced(String sha256) {
        try {
            newTransaction.executeWithoutResult(tx -> {
                blobs.lock(sha256);
                if (!blobs.exists(sha256)) {
                    try {
                        store.delete(sha256);
                        log.info("removed blob {} of a rolled-back upload", sha256);
                    } catch (IOException e) {
                        log.warn("could not remove blob {} of a rolled-back upload", sha256, e);
                    }
                }
            });
        } catch (RuntimeException e) {
            log.warn("clean-up of blob {} failed; it stays until the next sweep", sha256, e);
        }
    }

    public Resource open(String sha256) {
        return store.open(sha256);
    }

    public boolean exists(String sha256) {
        return store.contains(sha256);
    }

    /**
     * The row that names a blob commits only after the blob's bytes are on disk, so a crash can
     * never leave a record pointing at a file the kernel had not yet written.
     */
    private static void forceToDisk(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot flush staging file " + file + " to disk", e);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM lacks SHA-256", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("could not delete staging file {}", file, e);
        }
    }
}
