package io.qreg.engine.tensor;

import io.qreg.numeric.Float16;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.qreg.onnx.ir.StringStringEntryProto;
import io.qreg.onnx.ir.TensorProto;
import io.qreg.onnx.ir.TensorProto.DataType;
import org.junit.jupiter.api.Test;

class TensorsTest {

    @Test
    void floatsAreWrittenAsLittleEndianRawData() {
        TensorProto t = Tensors.floats("w", new long[] {2}, new float[] {1f, -2f});
        assertThat(t.getDataType()).isEqualTo(DataType.FLOAT.getNumber());
        assertThat(t.getDimsList()).containsExactly(2L);
        assertThat(t.getRawData().toByteArray())
                .containsExactly(0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, (byte) 0xC0);
        assertThat(Tensors.toFloats(t)).containsExactly(1f, -2f);
    }

    @Test
    void readsFloatsFromTypedFloatData() {
        TensorProto t = TensorProto.newBuilder().setDataType(DataType.FLOAT.getNumber()).addDims(3)
                .addFloatData(1f).addFloatData(2f).addFloatData(3f).build();
        assertThat(Tensors.toFloats(t)).containsExactly(1f, 2f, 3f);
    }

    @Test
    void float16TensorsRoundTripThroughRawDataAndInt32Data() {
        TensorProto t = Tensors.float16("h", new long[] {1, 3}, new float[] {1f, 0.1f, 70000f});
        assertThat(t.getRawData().toByteArray()).containsExactly(0x00, 0x3C, 0x66, 0x2E, 0x00, 0x7C);
        assertThat(Tensors.toFloats(t)).containsExactly(1f, Float16.toFloat((short) 0x2E66), Float.POSITIVE_INFINITY);

        TensorProto typed = TensorProto.newBuilder().setDataType(DataType.FLOAT16.getNumber()).addDims(2)
                .addInt32Data(0x3C00).addInt32Data(0xC000).build();
        assertThat(Tensors.toFloats(typed)).containsExactly(1f, -2f);
    }

    @Test
    void doublesNarrowToFloats() {
        TensorProto typed = TensorProto.newBuilder().setDataType(DataType.DOUBLE.getNumber()).addDims(2)
                .addDoubleData(0.5).addDoubleData(-4).build();
        assertThat(Tensors.toFloats(typed)).containsExactly(0.5f, -4f);
    }

    @Test
    void integerTensorsKeepTheirValuesAndSigns() {
        assertThat(Tensors.toLongs(Tensors.int8("a", new long[] {2}, new byte[] {-3, 5}))).containsExactly(-3, 5);
        assertThat(Tensors.toLongs(Tensors.uint8("b", new long[] {2}, new byte[] {(byte) 200, 5})))
                .containsExactly(200, 5);
        assertThat(Tensors.toLongs(Tensors.int32("c", new long[] {2}, new int[] {-70000, 1})))
                .containsExactly(-70000, 1);
        TensorProto longs = Tensors.int64("d", new long[] {}, new long[] {Long.MIN_VALUE});
        assertThat(longs.getDimsCount()).isZero();
        assertThat(Tensors.elementCount(longs)).isEqualTo(1);
        assertThat(Tensors.toLongs(longs)).containsExactly(Long.MIN_VALUE);
    }

    @Test
    void fourBitTensorsArePackedLowNibbleFirst() {
        TensorProto u4 = Tensors.uint4("q", new long[] {3}, new int[] {1, 15, 2});
        assertThat(u4.getDataType()).isEqualTo(DataType.UINT4.getNumber());
        assertThat(u4.getRawData().toByteArray()).containsExactly((byte) 0xF1, 0x02);
        TensorProto i4 = Tensors.int4("s", new long[] {2}, new int[] {-8, 7});
        assertThat(i4.getRawData().toByteArray()).containsExactly(0x78);
    }

    @Test
    void buildersCopyTheCallersArrays() {
        byte[] values = {1, 2};
        TensorProto t = Tensors.int8("a", new long[] {2}, values);
        values[0] = 9;
        assertThat(Tensors.toLongs(t)).containsExactly(1, 2);
    }

    @Test
    void rejectsAValueCountThatDoesNotMatchTheDims() {
        assertThatThrownBy(() -> Tensors.floats("w", new long[] {2, 2}, new float[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'w'").hasMessageContaining("4");
    }

    @Test
    void rejectsRawDataOfTheWrongLength() {
        TensorProto t = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT.getNumber()).addDims(2)
                .setRawData(ByteString.copyFrom(new byte[7])).build();
        assertThatThrownBy(() -> Tensors.toFloats(t)).hasMessageContaining("7 bytes").hasMessageContaining("8");
    }

    @Test
    void refusesToDecodeTheWrongKindOfType() {
        assertThatThrownBy(() -> Tensors.toFloats(Tensors.int8("a", new long[] {1}, new byte[1])))
                .hasMessageContaining("INT8");
        assertThatThrownBy(() -> Tensors.toLongs(Tensors.floats("f", new long[] {1}, new float[1])))
                .hasMessageContaining("FLOAT");
    }

    @Test
    void refusesTensorsWhoseDataIsStillExternal() {
        TensorProto t = TensorProto.newBuilder().setName("w").setDataType(DataType.FLOAT.getNumber()).addDims(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("w.bin")).build();
        assertThatThrownBy(() -> Tensors.toFloats(t)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("OnnxModel.load");
    }
}
