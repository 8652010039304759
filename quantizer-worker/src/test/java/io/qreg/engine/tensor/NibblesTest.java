package io.qreg.engine.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NibblesTest {

    @Test
    void packsTheFirstValueIntoTheLowNibble() {
        assertThat(Nibbles.packUnsigned(new int[] {0x1, 0x2, 0xF, 0x0})).containsExactly(0x21, 0x0F);
    }

    @Test
    void padsAnOddCountWithAZeroHighNibble() {
        assertThat(Nibbles.packUnsigned(new int[] {1, 2, 3})).containsExactly(0x21, 0x03);
        assertThat(Nibbles.packedLength(3)).isEqualTo(2);
        assertThat(Nibbles.packUnsigned(new int[0])).isEmpty();
    }

    @Test
    void packsSignedValuesAsTwosComplementNibbles() {
        byte[] packed = Nibbles.packSigned(new int[] {-1, 7, -8, 0});
        assertThat(packed).containsExactly((byte) 0x7F, (byte) 0x08);
        assertThat(Nibbles.signedAt(packed, 0)).isEqualTo(-1);
        assertThat(Nibbles.signedAt(packed, 1)).isEqualTo(7);
        assertThat(Nibbles.signedAt(packed, 2)).isEqualTo(-8);
        assertThat(Nibbles.signedAt(packed, 3)).isZero();
    }

    @Test
    void unpacksEveryValueItPacked() {
        int[] values = new int[257];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i * 7) % 16;
        }
        byte[] packed = Nibbles.packUnsigned(values);
        for (int i = 0; i < values.length; i++) {
            assertThat(Nibbles.unsignedAt(packed, i)).isEqualTo(values[i]);
        }
    }

    @Test
    void rejectsValuesThatDoNotFitFourBits() {
        assertThatThrownBy(() -> Nibbles.packUnsigned(new int[] {0, 16})).hasMessageContaining("index 1");
        assertThatThrownBy(() -> Nibbles.packSigned(new int[] {8})).hasMessageContaining("-8..7");
    }
}
