package io.qreg.engine.quant.qat;

import static org.assertj.core.api.Assertions.assertThat;

import io.qreg.onnx.ir.TensorProto.DataType;
import org.junit.jupiter.api.Test;

class QuantGridTest {

    @Test
    void foldingRoundsTiesToEvenAndSaturatesLikeQuantizeLinear() {
        QuantGrid int8 = new QuantGrid(new float[] {0.5f}, new int[] {0}, -1, 1, DataType.INT8);
        // 1.25/0.5 = 2.5 -> 2, 1.75/0.5 = 3.5 -> 4, -1.25/0.5 = -2.5 -> -2, beyond the range -> 127 / -128
        assertThat(int8.quantize(new float[] {1.25f, 1.75f, -1.25f, 1000f, -1000f}))
                .containsExactly(2, 4, -2, 127, -128);
    }

    @Test
    void zeroPointIsAddedAfterRoundingAndUnsignedGridsClampAtZero() {
        QuantGrid uint8 = new QuantGrid(new float[] {1f}, new int[] {128}, -1, 1, DataType.UINT8);
        assertThat(uint8.quantize(new float[] {0.5f, -0.5f, -200f, 200f})).containsExactly(128, 128, 0, 255);
    }

    @Test
    void fourBitGridsSaturateAtTheirOwnRange() {
        QuantGrid int4 = new QuantGrid(new float[] {1f}, new int[] {0}, -1, 1, DataType.INT4);
        QuantGrid uint4 = new QuantGrid(new float[] {1f}, new int[] {3}, -1, 1, DataType.UINT4);
        assertThat(int4.quantize(new float[] {7.4f, 9f, -9f})).containsExactly(7, 7, -8);
        assertThat(uint4.quantize(new float[] {-5f, 20f, 1f})).containsExactly(0, 15, 4);
    }

    @Test
    void perChannelGridsPickTheScaleOfEachElementsChannel() {
        // shape [2, 3] quantized along axis 0: rows use scales 1 and 10
        QuantGrid rows = new QuantGrid(new float[] {1f, 10f}, new int[] {0, 0}, 0, 3, DataType.INT8);
        assertThat(rows.quantize(new float[] {3f, 3f, 3f, 30f, 30f, 30f})).containsExactly(3, 3, 3, 3, 3, 3);
        // shape [2, 3] along axis 1: columns use scales 1, 2 and 4
        QuantGrid cols = new QuantGrid(new float[] {1f, 2f, 4f}, new int[] {0, 0, 0}, 1, 1, DataType.INT8);
        assertThat(cols.quantize(new float[] {4f, 4f, 4f, 8f, 8f, 8f})).containsExactly(4, 2, 1, 8, 4, 2);
    }
}
