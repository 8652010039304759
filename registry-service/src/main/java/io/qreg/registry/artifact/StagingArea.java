package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local directory uploads are spooled into before a store takes them, whichever store it
 * is: hashing must finish before a blob's address is known, so the bytes wait on disk.
 */
final class StagingArea {

    private static final Logger log = LoggerFactory.getLogger(StagingArea.class);

    private StagingArea() {
    }

    /**
     * Creates the directory and empties it. Only this process stages into it, and only while
     * running, so anything present at start was left by an upload a crash or restart cut short.
     */
    static Path prepare(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create staging directory " + directory, e);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                Files.deleteIfExists(file);
                log.warn("removed staging file {} left by an interrupted upload", file.getFileName());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean staging directory " + directory, e);
        }
        return directory;
    }
}
