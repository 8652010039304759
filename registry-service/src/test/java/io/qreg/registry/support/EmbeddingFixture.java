package io.qreg.registry.support;

import io.qreg.engine.eval.EmbeddingModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine tests' small embedding model and its paired data ({@link EmbeddingModels}), as the bytes an upload
 * sends: the registry's ITs evaluate exactly the model the engine's own tests measure.
 */
public final class EmbeddingFixture {

    private EmbeddingFixture() {
    }

    public static byte[] model(long seed) {
        return bytes(file -> EmbeddingModels.writeModel(file, seed));
    }

    public static byte[] features(int pairs, long seed) {
        return bytes(file -> EmbeddingModels.writeFeatures(file, pairs, seed));
    }

    public static byte[] pairLabels(int pairs) {
        return bytes(file -> EmbeddingModels.writePairLabels(file, pairs));
    }

    private interface Writer {
        Path write(Path file) throws IOException;
    }

    private static byte[] bytes(Writer writer) {
        try {
            Path file = Files.createTempFile("qreg-embedding", ".bin");
            try {
                return Files.readAllBytes(writer.write(file));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
