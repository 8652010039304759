package io.qreg.registry.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

/**
 * Datasets cannot exhaust the server: an archive that inflates beyond qreg.datasets.max-bytes
 * (DATASET_LIMIT here) is refused with 413, one that compresses above 200:1 with 422, and either
 * refusal leaves no row, no stored blob and no staged file.
 */
class DatasetInflationLimitsIT extends IntegrationTest {

    private static final long MIB = 1024 * 1024;

    private record Store(long rows, List<Path> blobs) {
    }

    private Store store() {
        return new Store(jdbc.queryForObject("select count(*) from dataset", Long.class), storedBlobs());
    }

    private void assertNothingStored(Store before, String name) {
        assertThat(jdbc.queryForObject("select count(*) from dataset", Long.class)).isEqualTo(before.rows());
        assertThat(jdbc.queryForObject("select count(*) from dataset where name = ?", Long.class, name)).isZero();
        assertThat(storedBlobs()).containsExactlyInAnyOrderElementsOf(before.blobs());
        assertThat(stagingFiles()).isEmpty();
    }

    private HttpApi.Reply upload(String name, byte[] file, String filename) {
        return userWith("ENGINEER").upload("/api/v1/datasets", Map.of("name", name, "purpose", "calibration"),
                file, filename);
    }

    /**
     * Uploads the file as a new dataset and asserts the refusal: a problem with this status naming {@code file}, and
     * nothing stored. Returns the problem's detail.
     */
    private String refusedUpload(byte[] file, String filename, int status) {
        Store before = store();
        String name = unique("refused");

        HttpApi.Reply reply = upload(name, file, filename);

        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("file");
        assertNothingStored(before, name);
        return reply.json().get("detail").asString();
    }

    @Test
    void aZipBombOfFiftyMegabytesOfZerosIsRefusedAsAboveTheRatioAndNothingIsStored() {
        byte[] bomb = ZipBombs.zipOfArrays(Map.of("input", 50 * MIB), false);
        assertThat(bomb.length).as("the bomb is small on the wire").isLessThan((int) MIB);

        assertThat(refusedUpload(bomb, "bomb.zip", 422)).contains("zip bomb").contains("200:1");
    }

    @Test
    void manySmallEntriesThatTogetherExceedTheRatioAreRefused() {
        // Each entry stays under the 1 MiB grace; together they inflate ~1000:1.
        Map<String, Long> entries = new LinkedHashMap<>();
        for (int i = 0; i < 7; i++) {
            entries.put("input" + i, MIB - 4096);
        }

        assertThat(refusedUpload(ZipBombs.zipOfArrays(entries, false), "many.npz", 422))
                .contains("the archive declares");
    }

    @Test
    void anArchiveThatInflatesBeyondTheCapIsRefusedWith413AndNothingIsStored() {
        // Random values barely compress: this one is refused by its size, not its ratio.
        byte[] big = ZipBombs.zipOfArrays(Map.of("input", DATASET_LIMIT + MIB), true);

        assertThat(refusedUpload(big, "big.zip", 413)).contains("QREG_MAX_DATASET_BYTES").contains("8.0 MiB");
    }

    @Test
    void aLoneNpyLargerThanTheCapIsRefusedWith413() {
        long floats = (DATASET_LIMIT + MIB) / 4;
        byte[] header = ZipBombs.npyHeader(floats);
        byte[] npy = new byte[header.length + (int) (floats * 4)];
        System.arraycopy(header, 0, npy, 0, header.length);

        refusedUpload(npy, "input.npy", 413);
    }

    @Test
    void anArchiveUnderTheCapAndTheRatioIsAccepted() {
        byte[] fine = ZipBombs.zipOfArrays(Map.of("input", DATASET_LIMIT - 2 * MIB), true);
        String name = unique("fine");

        HttpApi.Reply reply = upload(name, fine, "fine.zip");

        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().get("samples").asLong()).isEqualTo((DATASET_LIMIT - 2 * MIB) / 4);
    }
}
