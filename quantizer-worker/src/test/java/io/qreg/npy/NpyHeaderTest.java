package io.qreg.npy;

import static io.qreg.npy.NpyTestFiles.fixture;
import static io.qreg.npy.NpyTestFiles.npy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NpyHeaderTest {

    static NpyArrayInfo read(byte[] bytes) throws IOException {
        return NpyHeader.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void readsFloat32MatrixHeaderOfDigitsEvalX() throws IOException {
        NpyArrayInfo info = read(fixture("digits_eval_x.npy"));

        assertThat(info.name()).isNull();
        assertThat(info.dtype()).isEqualTo(NpyDType.FLOAT32);
        assertThat(info.shape()).containsExactly(500, 64);
        assertThat(info.headerBytes()).isEqualTo(128);
        assertThat(info.dataBytes()).isEqualTo(500 * 64 * 4);
    }

    @Test
    void readsInt64VectorHeaderOfDigitsEvalY() throws IOException {
        NpyArrayInfo info = read(fixture("digits_eval_y.npy"));

        assertThat(info.dtype()).isEqualTo(NpyDType.INT64);
        assertThat(info.shape()).containsExactly(500);
        assertThat(info.shapeString()).isEqualTo("(500,)");
        assertThat(info.dataBytes()).isEqualTo(4000);
    }

    @Test
    void leavesStreamAtFirstDataByte() throws IOException {
        byte[] bytes = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", new byte[] {7, 9});
        ByteArrayInputStream in = new ByteArrayInputStream(bytes);

        NpyHeader.read(in);

        assertThat(in.read()).isEqualTo(7);
    }

    @Test
    void readsFormatVersions2And3() throws IOException {
        String dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }";

        NpyArrayInfo v2 = read(npy(2, dict, new byte[24]));
        NpyArrayInfo v3 = read(npy(3, dict, new byte[24]));

        assertThat(v2.dtype()).isEqualTo(NpyDType.INT32);
        assertThat(v2.shape()).containsExactly(3, 2);
        assertThat(v2.headerBytes()).isEqualTo(12 + dict.length() + 1);
        assertThat(v3).isEqualTo(v2);
    }

    @Test
    void acceptsDictInAnyKeyOrderWithDoubleQuotesAndNoTrailingComma() throws IOException {
        NpyArrayInfo info = read(npy("{\"shape\": (), \"fortran_order\": False, \"descr\": \"<f8\"}", new byte[8]));

        assertThat(info.dtype()).isEqualTo(NpyDType.FLOAT64);
        assertThat(info.shape()).isEmpty();
        assertThat(info.dataBytes()).isEqualTo(8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"|u1", "<u1", ">u1", "=u1", "|b1", "=b1", "|i1", ">i1"})
    void acceptsAnyByteOrderMarkForSingleByteTypes(String descr) throws IOException {
        NpyArrayInfo info = read(npy("{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }",
                new byte[1]));

        assertThat(info.dtype().descr().substring(1)).isEqualTo(descr.substring(1));
    }

    @Test
    void rejectsFortranOrder() {
        byte[] bytes = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", new byte[16]);

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageContaining("must be C order (fortran_order False)");
    }

    @Test
    void rejectsBigEndianWithHowToConvert() {
        byte[] bytes = npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(NpyFormatException.class)
                .hasMessage("big-endian dtype '>f4' is not supported; convert it with a.astype('<f4') before saving");
    }

    @Test
    void rejectsNativeByteOrderForMultiByteTypes() {
        byte[] bytes = npy("{'descr': '=i8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);

        assertThatThrownBy(() -> read(bytes)).hasMessageContaining("does not state its byte order");
    }

    @Test
    void rejectsUnsupportedDtypeListingSupportedOnes() {
        byte[] bytes = npy("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);

        assertThatThrownBy(() -> read(bytes))
                .hasMessageStartingWith("unsupported dtype '<c8'; supported: float32 (<f4), ");
    }

    @Test
    void rejectsStructuredDtype() {
        byte[] bytes = npy("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                new byte[8]);

        assertThatThrownBy(() -> read(bytes)).hasMessageStartingWith("structured (record) dtypes are not supported");
    }

    @Test
    void rejectsMissingMagic() {
        assertThatThrownBy(() -> read("descr,shape\n".getBytes()))
                .hasMessage("not a NumPy .npy file: it does not start with the \\x93NUMPY magic");
    }

    @Test
    void rejectsUnknownFormatVersion() {
        byte[] bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        bytes[6] = 4;

        assertThatThrownBy(() -> read(bytes))
                .hasMessage("unsupported .npy format version 4.0; supported: 1.0, 2.0, 3.0");
    }

    @Test
    void rejectsHeaderCutShort() {
        byte[] bytes = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[0]);

        assertThatThrownBy(() -> read(Arrays.copyOf(bytes, 30)))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageStartingWith("truncated .npy header: ");
        assertThatThrownBy(() -> read(Arrays.copyOf(bytes, 7)))
                .hasMessageStartingWith("truncated .npy header: ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{'descr': '<f4', 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': ('a',), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,) ",
        "{'descr': '<f4', 'fortran_order': 0, 'shape': (1,), }",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), } trailing",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'shape': (1,)}",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
        "[1, 2]",
        "",
    })
    void rejectsMalformedHeaderDict(String dict) {
        byte[] bytes = npy(dict, new byte[4]);

        assertThatThrownBy(() -> read(bytes))
                .isInstanceOf(NpyFormatException.class)
                .hasMessageNotContaining("null");
    }
}
