package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;

/** Blobs on the local filesystem under {@code artifacts/sha256/ab/cd/<hex>}. */
public class FilesystemBlobStore implements BlobStore {

    private final Path root;
    private final Path staging;

    public FilesystemBlobStore(Path artifactsDirectory) {
        this.root = artifactsDirectory.resolve("sha256");
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the artifact store under " + artifactsDirectory, e);
        }
        this.staging = StagingArea.prepare(artifactsDirectory.resolve("staging"));
    }

    @Override
    public Path stagingDirectory() {
        return staging;
    }

    Path pathOf(String sha256) {
        return root.resolve(BlobDigest.fanOut(sha256));
    }

    @Override
    public boolean contains(String sha256) {
        return Files.isRegularFile(pathOf(sha256));
    }

    @Override
    public void put(String sha256, Path stagedFile) throws IOException {
        Path target = pathOf(sha256);
        if (Files.exists(target)) {
            Files.deleteIfExists(stagedFile);
            return;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(stagedFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Path temp = target.resolveSibling(sha256 + ".partial");
            Files.copy(stagedFile, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(stagedFile);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(stagedFile);
            return;
        }
        syncDirectory(target.getParent());
    }

    /** Makes the rename itself durable: without it a crash can forget the blob's directory entry. */
    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some platforms cannot open a directory for syncing; the data itself was forced already.
        }
    }

    @Override
    public Resource open(String sha256) {
        return new FileSystemResource(pathOf(sha256));
    }

    @Override
    public void delete(String sha256) throws IOException {
        Files.deleteIfExists(pathOf(sha256));
    }

    @Override
    public List<StoredBlob> list() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            List<StoredBlob> blobs = new ArrayList<>();
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (Files.isRegularFile(file) && BlobDigest.isSha256(name)) {
                    blobs.add(new StoredBlob(name, Files.getLastModifiedTime(file).toInstant()));
                }
            }
            return blobs;
        }
    }
}
