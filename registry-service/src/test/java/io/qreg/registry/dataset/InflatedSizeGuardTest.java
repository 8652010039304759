package io.qreg.registry.dataset;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.qreg.registry.artifact.StagedFile;
import io.qreg.registry.web.ApiException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpStatus;

/** Archives whose central directory understates what they inflate to are caught by counting. */
class InflatedSizeGuardTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private final InflatedSizeGuard guard = new InflatedSizeGuard(new DatasetLimits(8 * MIB));

    /** Rewrites every central directory record's uncompressed size to {@code declared}. */
    private static byte[] lyingAboutSize(byte[] zip, int declared) {
        ByteBuffer buffer = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (buffer.getInt(i) == 0x02014b50) {
                buffer.putInt(i + 24, declared);
            }
        }
        return zip;
    }

    private StagedFile staged(byte[] bytes) throws Exception {
        Path file = Files.write(dir.resolve("upload.zip"), bytes);
        return new StagedFile(file, "0".repeat(64), bytes.length, "upload.zip");
    }

    private static void assertRefused(Runnable check, HttpStatus status, String detail) {
        assertThatThrownBy(check::run).isInstanceOfSatisfying(ApiException.class, e -> {
            org.assertj.core.api.Assertions.assertThat(e.status()).isEqualTo(status);
            org.assertj.core.api.Assertions.assertThat(e.field()).isEqualTo("file");
        }).hasMessageContaining(detail);
    }

    @Test
    void aBombThatDeclaresATinySizeIsStoppedByTheCountedRatio() throws Exception {
        StagedFile bomb = staged(lyingAboutSize(ZipBombs.zipOfArrays(Map.of("input", 20 * MIB), false), 100));

        assertRefused(() -> guard.check(bomb), HttpStatus.UNPROCESSABLE_CONTENT, "entry 'input.npy' inflates");
    }

    @Test
    void anArchiveThatDeclaresATinySizeIsStoppedByTheCountedCap() throws Exception {
        StagedFile big = staged(lyingAboutSize(ZipBombs.zipOfArrays(Map.of("input", 9 * MIB), true), 100));

        assertRefused(() -> guard.check(big), HttpStatus.CONTENT_TOO_LARGE, "QREG_MAX_DATASET_BYTES");
    }

    @Test
    void anHonestArchiveUnderBothLimitsPasses() throws Exception {
        StagedFile fine = staged(ZipBombs.zipOfArrays(Map.of("input", 2 * MIB, "labels", 64L), true));

        assertThatCode(() -> guard.check(fine)).doesNotThrowAnyException();
    }
}
