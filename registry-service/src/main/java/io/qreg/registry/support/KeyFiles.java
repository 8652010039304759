package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * Secrets the registry keeps outside its database, in {@code ${qreg.data-dir}/keys}: a directory
 * only the registry's own OS user may enter (0700), each file readable by that user alone (0600).
 * A key is generated once and then read on every start: {@link #readOrCreate} never overwrites.
 */
public final class KeyFiles {

    private KeyFiles() {
    }

    /** {@code dataDir/keys}, created 0700 when missing. */
    public static Path directory(Path dataDir) {
        Path keys = dataDir.resolve("keys");
        try {
            if (!Files.isDirectory(keys)) {
                Files.createDirectories(keys);
                restrict(keys, "rwx------");
            }
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the key directory " + keys, e);
        }
    }

    /**
     * The file's bytes; when it does not exist yet, {@code generate}'s bytes written to it with mode
     * 0600 (written to a temporary file, then hard-linked to its name, which fails if the name exists:
     * a crash leaves no half-written key, and of two processes racing the first one's key is kept).
     */
    public static byte[] readOrCreate(Path file, Supplier<byte[]> generate) {
        try {
            if (Files.exists(file)) {
                return Files.readAllBytes(file);
            }
            Path temp = Files.createTempFile(file.getParent(), ".new-", ".key");
            try {
                restrict(temp, "rw-------");
                Files.write(temp, generate.get());
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException raced) {
                // another process wrote it first: theirs is the key
            } finally {
                Files.deleteIfExists(temp);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the key file " + file, e);
        }
    }

    private static void restrict(Path path, String permissions) throws IOException {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }
}
