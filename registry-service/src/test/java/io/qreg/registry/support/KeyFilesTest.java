package io.qreg.registry.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {

    @TempDir
    Path dataDir;

    @Test
    void aKeyIsGeneratedOnceIntoAPrivateDirectoryAndReadBackAfterwards() throws Exception {
        Path keys = KeyFiles.directory(dataDir);
        Path file = keys.resolve("test.key");

        byte[] first = KeyFiles.readOrCreate(file, () -> "first".getBytes(StandardCharsets.UTF_8));
        byte[] second = KeyFiles.readOrCreate(file, () -> "second".getBytes(StandardCharsets.UTF_8));

        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo("first");
        assertThat(new String(second, StandardCharsets.UTF_8)).as("an existing key is never replaced")
                .isEqualTo("first");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rwx------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var left = Files.list(keys)) {
            assertThat(left).as("no temporary file is left behind").containsExactly(file);
        }
    }
}
