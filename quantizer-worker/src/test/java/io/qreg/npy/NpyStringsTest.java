package io.qreg.npy;

import static io.qreg.npy.NpyTestFiles.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyStringsTest {

    @TempDir
    Path dir;

    @Test
    void readsTheArrayOfStringsNumpyWrites() throws IOException {
        // fixtures/slice_names.npy: numpy.save(f, numpy.array(["common", "rare-fraud"])), dtype '<U10'.
        assertThat(NpyStrings.read(new ByteArrayInputStream(fixture("slice_names.npy"))))
                .containsExactly("common", "rare-fraud");
    }

    @Test
    void refusesNumbersTwoDimensionsAndMissingBytes() {
        byte[] numbers = NpyTestFiles.npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        assertThatThrownBy(() -> NpyStrings.read(new ByteArrayInputStream(numbers)))
                .isInstanceOf(NpyFormatException.class).hasMessageContaining("array of strings");
        byte[] matrix = NpyTestFiles.npy("{'descr': '<U1', 'fortran_order': False, 'shape': (1, 1), }",
                "a".getBytes(Charset.forName("UTF-32LE")));
        assertThatThrownBy(() -> NpyStrings.read(new ByteArrayInputStream(matrix)))
                .isInstanceOf(NpyFormatException.class).hasMessageContaining("1-D");
        byte[] shortData = NpyTestFiles.npy("{'descr': '<U2', 'fortran_order': False, 'shape': (2,), }",
                "ab".getBytes(Charset.forName("UTF-32LE")));
        assertThatThrownBy(() -> NpyStrings.read(new ByteArrayInputStream(shortData)))
                .isInstanceOf(NpyFormatException.class).hasMessageContaining("fewer data bytes");
    }

    @Test
    void anArchiveKeepsSliceNamesOutOfItsTensorsAndReadsThemAsStrings() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("input.npy", fixture("digits_eval_x.npy"));
        entries.put("slice_names.npy", fixture("slice_names.npy"));
        Path zip = dir.resolve("eval.zip");
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        assertThat(TensorArchive.inspect(zip, "eval.zip")).extracting(NpyArrayInfo::name).containsExactly("input");
        assertThat(TensorArchive.load(zip, "eval.zip")).containsOnlyKeys("input");
        assertThat(TensorArchive.strings(zip, "eval.zip", "slice_names")).containsExactly("common", "rare-fraud");
        assertThat(TensorArchive.strings(zip, "eval.zip", "other")).isNull();
    }
}
