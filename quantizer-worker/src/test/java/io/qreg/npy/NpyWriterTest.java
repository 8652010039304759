package io.qreg.npy;

import static io.qreg.npy.NpyTestFiles.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class NpyWriterTest {

    static byte[] write(NpyDType dtype, long[] shape, ByteBuffer data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, dtype, shape, data);
        return out.toByteArray();
    }

    @ParameterizedTest
    @EnumSource(NpyDType.class)
    void roundTripsEveryDtype(NpyDType dtype) throws IOException {
        long[] shape = {3, 5};
        byte[] payload = new byte[15 * dtype.itemSize()];
        new Random(dtype.ordinal()).nextBytes(payload);
        if (dtype == NpyDType.BOOL) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] &= 1;
            }
        }

        byte[] file = write(dtype, shape, ByteBuffer.wrap(payload));
        NpyArray array = NpyArray.read(new ByteArrayInputStream(file));

        assertThat(array.dtype()).isEqualTo(dtype);
        assertThat(array.shape()).containsExactly(shape);
        assertThat(array.samples()).isEqualTo(3);
        byte[] readBack = new byte[payload.length];
        array.data().get(readBack);
        assertThat(readBack).isEqualTo(payload);
    }

    @ParameterizedTest
    @ValueSource(strings = {"digits_eval_x.npy", "digits_eval_y.npy", "digits_eval_x_img.npy",
        "bytelm_small_eval_ids.npy"})
    void writesFilesByteIdenticalToNumpy(String fixture) throws IOException {
        byte[] original = fixture(fixture);
        NpyArray array = NpyArray.read(new ByteArrayInputStream(original));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NpyWriter.write(out, array);

        assertThat(out.toByteArray()).isEqualTo(original);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 4, 9})
    void padsHeaderToSixtyFourBytesAndEndsItWithNewline(int rank) throws IOException {
        long[] shape = new long[rank];
        java.util.Arrays.fill(shape, 3);
        long bytes = NpyArray.byteSize(NpyDType.INT8, shape);

        byte[] file = write(NpyDType.INT8, shape, ByteBuffer.allocate((int) bytes));
        NpyArrayInfo info = NpyHeader.read(new ByteArrayInputStream(file));

        assertThat(info.headerBytes() % 64).isZero();
        assertThat(file[(int) info.headerBytes() - 1]).isEqualTo((byte) '\n');
        assertThat(file[6]).as("format version").isEqualTo((byte) 1);
        assertThat(info.shape()).containsExactly(shape);
    }

    @Test
    void writesFloatAndLongArraysThroughTypedOverloads() throws IOException {
        ByteArrayOutputStream floats = new ByteArrayOutputStream();
        NpyWriter.write(floats, NpyDType.FLOAT64, new long[] {2}, new float[] {1.5f, -2f});
        ByteArrayOutputStream longs = new ByteArrayOutputStream();
        NpyWriter.write(longs, NpyDType.UINT8, new long[] {3}, new long[] {0, 7, 255});

        NpyArray f = NpyArray.read(new ByteArrayInputStream(floats.toByteArray()));
        NpyArray l = NpyArray.read(new ByteArrayInputStream(longs.toByteArray()));

        assertThat(f.dtype()).isEqualTo(NpyDType.FLOAT64);
        assertThat(f.toFloatArray()).containsExactly(1.5f, -2f);
        assertThat(l.toLongArray()).containsExactly(0, 7, 255);
        assertThat(l.toFloatArray()).containsExactly(0f, 7f, 255f);
    }

    @Test
    void refusesValuesThatDoNotFitTheDtype() {
        assertThatThrownBy(() -> NpyWriter.write(new ByteArrayOutputStream(), NpyDType.INT8, new long[] {2},
                new long[] {1, 128}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("value 128 at index 1 does not fit in int8");
    }

    @Test
    void refusesDataWhoseLengthDoesNotMatchTheShape() {
        assertThatThrownBy(() -> write(NpyDType.FLOAT32, new long[] {2, 2}, ByteBuffer.allocate(12)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape (2, 2) of float32 needs 16 bytes, got 12");
    }

    @Test
    void convertsFloat16AndIntegersToFloat() {
        ByteBuffer halfs = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        // 1.0, -2.5, 65504 (max), smallest subnormal 2^-24, +infinity
        halfs.putShort((short) 0x3C00).putShort((short) 0xC100).putShort((short) 0x7BFF)
                .putShort((short) 0x0001).putShort((short) 0x7C00).flip();
        NpyArray half = NpyArray.of(NpyDType.FLOAT16, new long[] {5}, halfs);
        NpyArray int8 = NpyArray.of(NpyDType.INT8, new long[] {2}, ByteBuffer.wrap(new byte[] {-3, 100}));

        assertThat(half.toFloatArray()).containsExactly(1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY);
        assertThat(int8.toFloatArray()).containsExactly(-3f, 100f);
        assertThat(int8.toLongArray()).containsExactly(-3L, 100L);
    }

    @Test
    void refusesToTruncateFloatsToLongs() {
        NpyArray floats = NpyArray.ofFloats(new float[] {0.5f}, 1);

        assertThatThrownBy(floats::toLongArray)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("float32");
    }

    @Test
    void readRejectsPayloadShorterOrLongerThanDeclared() throws IOException {
        byte[] file = write(NpyDType.INT32, new long[] {4}, ByteBuffer.allocate(16));
        byte[] shorter = java.util.Arrays.copyOf(file, file.length - 1);
        byte[] longer = java.util.Arrays.copyOf(file, file.length + 1);

        assertThatThrownBy(() -> NpyArray.read(new ByteArrayInputStream(shorter)))
                .isInstanceOf(NpyFormatException.class)
                .hasMessage("truncated: shape (4,) of int32 needs 16 bytes of data but only 15 follow the header");
        assertThatThrownBy(() -> NpyArray.read(new ByteArrayInputStream(longer)))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("more follow the header");
    }

    @Test
    void writesVersion2HeaderWhenDictExceeds64KiB() throws IOException {
        long[] shape = new long[25_000];
        java.util.Arrays.fill(shape, 1);

        byte[] file = write(NpyDType.UINT8, shape, ByteBuffer.allocate(1));

        assertThat(file[6]).isEqualTo((byte) 2);
        assertThat(new String(file, 0, 12, StandardCharsets.ISO_8859_1)).startsWith("\u0093NUMPY");
        assertThatThrownBy(() -> NpyHeader.read(new ByteArrayInputStream(file)))
                .as("the reader caps headers at 64 KiB")
                .hasMessageContaining("more than the 65536 allowed");
    }
}
