package io.qreg.registry.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Bytes received and hashed into a staging file, not yet part of the store. */
public record StagedFile(Path path, String sha256, long sizeBytes, String originalFilename) {

    /** Removes the staging file; safe to call after it was moved into the store. */
    public void discard() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete staging file " + path, e);
        }
    }
}
