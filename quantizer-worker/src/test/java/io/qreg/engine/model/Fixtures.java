package io.qreg.engine.model;

import io.qreg.npy.NpyArray;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Copies classpath fixtures into a test's temporary directory, where models can sit next to their data. */
final class Fixtures {

    private Fixtures() {
    }

    static Path copy(String name, Path directory) throws IOException {
        Path target = directory.resolve(name);
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            Files.copy(in, target);
        }
        return target;
    }

    static NpyArray npy(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return NpyArray.read(in);
        }
    }
}
