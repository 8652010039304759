package io.qreg.npy;

import static io.qreg.npy.NpyTestFiles.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorArchiveTest {

    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    /** A zip of raw entries; a null content makes a directory entry. */
    private Path zip(String name, Map<String, byte[]> entries) throws IOException {
        Path path = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(path); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                if (entry.getValue() != null) {
                    zip.write(entry.getValue());
                }
                zip.closeEntry();
            }
        }
        return path;
    }

    private static byte[] npyBytes(NpyArray array) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, array);
        return out.toByteArray();
    }

    @Test
    void inspectsNpyFixturesNamingArraysAfterTheUploadedFile() throws IOException {
        Path x = file("upload-1234.tmp", fixture("digits_eval_x.npy"));
        Path y = file("digits_eval_y.npy", fixture("digits_eval_y.npy"));

        List<NpyArrayInfo> xs = TensorArchive.inspect(x, "digits_eval_x.npy");
        List<NpyArrayInfo> ys = TensorArchive.inspect(y, null);

        assertThat(xs).singleElement().satisfies(info -> {
            assertThat(info.name()).isEqualTo("digits_eval_x");
            assertThat(info.dtype()).isEqualTo(NpyDType.FLOAT32);
            assertThat(info.shape()).containsExactly(500, 64);
        });
        assertThat(ys).singleElement().hasToString("digits_eval_y int64 (500,)");
    }

    @Test
    void loadsImageAndTokenFixtures() throws IOException {
        Map<String, NpyArray> images = TensorArchive.load(
                file("a.npy", fixture("digits_eval_x_img.npy")), "C:\\Users\\me\\digits_eval_x_img.npy");
        Map<String, NpyArray> ids = TensorArchive.load(
                file("b.npy", fixture("bytelm_small_eval_ids.npy")), "bytelm_small_eval_ids.npy");

        NpyArray img = images.get("digits_eval_x_img");
        assertThat(img.shape()).containsExactly(500, 1, 8, 8);
        float[] pixels = img.toFloatArray();
        assertThat(pixels).hasSize(32_000);
        assertThat(IntStream.range(0, pixels.length).mapToDouble(i -> pixels[i])).allMatch(v -> v >= 0 && v <= 1);
        NpyArray tokens = ids.get("bytelm_small_eval_ids");
        assertThat(tokens.dtype()).isEqualTo(NpyDType.INT64);
        assertThat(tokens.samples()).isEqualTo(200);
        assertThat(LongStream.of(tokens.toLongArray())).allMatch(v -> v >= 0 && v <= 255);
    }

    @Test
    void digitsLabelsAreTheTenClasses() throws IOException {
        NpyArray labels = NpyArray.read(file("y.npy", fixture("digits_eval_y.npy")));

        assertThat(Arrays.stream(labels.toLongArray()).distinct().sorted().toArray())
                .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void inspectsNpzWithTwoArraysInNameOrder() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("y", NpyArray.ofLongs(new long[] {1, 0, 1}, 3));
        arrays.put("x", NpyArray.ofFloats(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Path npz = dir.resolve("data.npz");
        NpyWriter.writeNpz(npz, arrays);

        List<NpyArrayInfo> infos = TensorArchive.inspect(npz, "data.npz");
        Map<String, NpyArray> loaded = TensorArchive.load(npz, "data.npz");

        assertThat(infos).extracting(NpyArrayInfo::toString).containsExactly("x float32 (3, 2)", "y int64 (3,)");
        assertThat(loaded.keySet()).containsExactly("x", "y");
        assertThat(loaded.get("x").toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(loaded.get("y").toLongArray()).containsExactly(1, 0, 1);
    }

    @Test
    void detectsFormatByContentNotExtension() throws IOException {
        Path npzNamedNpy = dir.resolve("really-a-zip.npy");
        NpyWriter.writeNpz(npzNamedNpy, Map.of("a", NpyArray.ofLongs(new long[] {5}, 1)));
        Path npyNamedZip = file("really-an-npy.zip", fixture("digits_eval_y.npy"));

        assertThat(TensorArchive.inspect(npzNamedNpy, "really-a-zip.npy")).extracting(NpyArrayInfo::name)
                .containsExactly("a");
        assertThat(TensorArchive.inspect(npyNamedZip, "really-an-npy.zip")).extracting(NpyArrayInfo::name)
                .containsExactly("really-an-npy");
    }

    @Test
    void acceptsZipWithDirectoriesAndNestedEntries() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("batch/", null);
        entries.put("batch/ids.NPY", npyBytes(NpyArray.ofLongs(new long[] {1, 2}, 2)));
        entries.put("__MACOSX/batch/._ids.npy", new byte[] {0, 5, 22, 7});
        Path zip = zip("upload.zip", entries);

        assertThat(TensorArchive.inspect(zip, "upload.zip")).extracting(NpyArrayInfo::toString)
                .containsExactly("ids int64 (2,)");
    }

    @Test
    void rejectsZipWithNonNpyEntryNamingIt() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x.npy", npyBytes(NpyArray.ofFloats(new float[] {1}, 1)));
        entries.put("notes/README.txt", "hello".getBytes());
        Path zip = zip("upload.zip", entries);

        assertThatThrownBy(() -> TensorArchive.inspect(zip, "upload.zip"))
                .isInstanceOf(NpyFormatException.class)
                .hasMessage("'upload.zip' contains 'notes/README.txt', which is not a .npy array;"
                        + " an .npz/.zip may contain only .npy files");
    }

    @Test
    void rejectsZipWithTwoArraysOfTheSameName() throws IOException {
        byte[] array = npyBytes(NpyArray.ofFloats(new float[] {1}, 1));
        Path zip = zip("upload.zip", Map.of("a/x.npy", array, "b/x.npy", array));

        assertThatThrownBy(() -> TensorArchive.inspect(zip, "upload.zip"))
                .hasMessage("'upload.zip' contains two arrays named 'x': 'a/x.npy' and 'b/x.npy'");
    }

    @Test
    void rejectsTruncatedNpyNamingTheArray() throws IOException {
        byte[] full = fixture("digits_eval_x.npy");
        Path cut = file("x.npy", Arrays.copyOf(full, full.length - 100));

        assertThatThrownBy(() -> TensorArchive.inspect(cut, "digits_eval_x.npy"))
                .isInstanceOf(NpyFormatException.class)
                .hasMessage("array 'digits_eval_x' in 'digits_eval_x.npy': truncated: shape (500, 64) of float32"
                        + " needs 128000 bytes of data but only 127900 follow the header");
        assertThatThrownBy(() -> TensorArchive.load(cut, "digits_eval_x.npy"))
                .hasMessageStartingWith("array 'digits_eval_x' in 'digits_eval_x.npy': truncated: ");
    }

    @Test
    void rejectsTruncatedAndOverlongZipEntriesNamingTheArray() throws IOException {
        byte[] y = fixture("digits_eval_y.npy");
        Path truncated = zip("t.npz", Map.of("labels.npy", Arrays.copyOf(y, y.length - 8)));
        Path overlong = zip("o.npz", Map.of("labels.npy", Arrays.copyOf(y, y.length + 8)));

        assertThatThrownBy(() -> TensorArchive.inspect(truncated, "t.npz"))
                .hasMessage("array 'labels' in 't.npz': truncated: shape (500,) of int64 needs 4000 bytes of data"
                        + " but only 3992 follow the header");
        assertThatThrownBy(() -> TensorArchive.inspect(overlong, "o.npz"))
                .hasMessageStartingWith("array 'labels' in 'o.npz': shape (500,) of int64 needs 4000 bytes of data"
                        + " but more follow the header");
    }

    @Test
    void rejectsBigEndianEntryNamingTheArray() throws IOException {
        byte[] bigEndian = NpyTestFiles.npy("{'descr': '>i8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        Path zip = zip("be.npz", Map.of("ids.npy", bigEndian));

        assertThatThrownBy(() -> TensorArchive.inspect(zip, "be.npz"))
                .hasMessageStartingWith("array 'ids' in 'be.npz': big-endian dtype '>i8' is not supported");
    }

    @Test
    void rejectsOtherFormatsListingAcceptedOnes() throws IOException {
        Path csv = file("data.csv", "a,b\n1,2\n".getBytes());
        Path empty = file("empty.npy", new byte[0]);

        assertThatThrownBy(() -> TensorArchive.inspect(csv, "data.npy"))
                .isInstanceOf(NpyFormatException.class)
                .hasMessage("'data.npy' is not a NumPy file; expected a NumPy .npy file, or a .npz/.zip archive of"
                        + " .npy files");
        assertThatThrownBy(() -> TensorArchive.inspect(empty, "empty.npy"))
                .hasMessageStartingWith("'empty.npy' is empty; expected a NumPy .npy file");
    }

    @Test
    void rejectsArchiveWithoutArraysAndCorruptZip() throws IOException {
        Path emptyZip = zip("empty.zip", Map.of());
        byte[] valid = Files.readAllBytes(zip("ok.zip", Map.of("x.npy", npyBytes(NpyArray.ofLongs(new long[] {1}, 1)))));
        Path corrupt = file("corrupt.zip", Arrays.copyOf(valid, valid.length - 10));

        assertThatThrownBy(() -> TensorArchive.inspect(emptyZip, "empty.zip"))
                .hasMessage("'empty.zip' contains no .npy arrays");
        assertThatThrownBy(() -> TensorArchive.inspect(corrupt, "corrupt.zip"))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageStartingWith("'corrupt.zip' is not a readable zip archive");
    }

    @Test
    void rejectsZipWhoseCompressedDataIsDamaged() throws IOException {
        float[] values = new float[10_000];
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(16);
        }
        Path npz = dir.resolve("d.npz");
        NpyWriter.writeNpz(npz, Map.of("x", NpyArray.ofFloats(values, values.length)));
        byte[] bytes = Files.readAllBytes(npz);
        for (int i = 200; i < 400; i++) {
            bytes[i] ^= (byte) 0x5A;
        }
        Path damaged = file("damaged.npz", bytes);

        assertThatThrownBy(() -> TensorArchive.inspect(damaged, "damaged.npz"))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("damaged.npz");
    }
}
