package io.qreg.numeric;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void convertsKnownValuesToTheirIeeeBitPatterns() {
        assertHalf(0f, 0x0000);
        assertHalf(-0f, 0x8000);
        assertHalf(1f, 0x3C00);
        assertHalf(-2f, 0xC000);
        assertHalf(0.5f, 0x3800);
        assertHalf(0.1f, 0x2E66);
        assertHalf(1f / 3, 0x3555);
        assertHalf(65504f, 0x7BFF);
        assertHalf(0x1p-14f, 0x0400);
        assertHalf(0x1p-24f, 0x0001);
        assertHalf(0x1.ff8p-15f, 0x03FF); // largest subnormal
        assertHalf(Float.POSITIVE_INFINITY, 0x7C00);
        assertHalf(Float.NEGATIVE_INFINITY, 0xFC00);
    }

    @Test
    void roundsTiesToEven() {
        assertHalf(1f + 0x1p-11f, 0x3C00); // halfway between 1 and 1+2^-10: keep even 1
        assertHalf(1f + 3 * 0x1p-11f, 0x3C02); // halfway between 1+2^-10 and 1+2^-9: round up to even
        assertHalf(Math.nextUp(1f + 0x1p-11f), 0x3C01); // just above halfway rounds up
        assertHalf(0x1.ffcp-15f, 0x0400); // rounding the largest subnormal up reaches the smallest normal
    }

    @Test
    void overflowsToInfinityFromTheMidpointAboveTheLargestHalf() {
        assertHalf(Math.nextDown(65520f), 0x7BFF);
        assertHalf(65520f, 0x7C00);
        assertHalf(-1e6f, 0xFC00);
        assertHalf(Float.MAX_VALUE, 0x7C00);
    }

    @Test
    void underflowsToSubnormalsAndSignedZero() {
        assertHalf(0x1p-25f, 0x0000); // exactly half the smallest subnormal: tie to even zero
        assertHalf(Math.nextUp(0x1p-25f), 0x0001);
        assertHalf(-0x1p-25f, 0x8000);
        assertHalf(3 * 0x1p-25f, 0x0002); // 1.5 units: tie to even 2
        assertHalf(Float.MIN_VALUE, 0x0000);
    }

    @Test
    void keepsNaNANaN() {
        assertThat(Float.isNaN(Float16.toFloat(Float16.toHalf(Float.NaN)))).isTrue();
        float lowPayloadNaN = Float.intBitsToFloat(0x7F80_0001);
        assertThat(Float16.toHalf(lowPayloadNaN) & 0x7FFF).isEqualTo(0x7E00);
    }

    @Test
    void everyHalfRoundTripsThroughFloatBitForBit() {
        for (int bits = 0; bits < 0x10000; bits++) {
            short half = (short) bits;
            assertThat(Float16.toHalf(Float16.toFloat(half)) & 0xFFFF)
                    .as("half 0x%04X", bits).isEqualTo(bits);
        }
    }

    @Test
    void everyFiniteHalfDecodesToItsExactValue() {
        for (int bits = 0; bits < 0x7C00; bits++) {
            int exponent = bits >>> 10;
            int mantissa = bits & 0x3FF;
            double expected = exponent == 0 ? mantissa * 0x1p-24 : (1024 + mantissa) * Math.pow(2, exponent - 25);
            assertThat((double) Float16.toFloat((short) bits)).isEqualTo(expected);
        }
    }

    @Test
    void randomFloatsRoundToTheNearestHalfLikeABruteForceSearch() {
        // Oracle: the nearest of all finite halves by exact double arithmetic, ties to the even pattern.
        double[] halves = new double[0x7C00];
        for (int bits = 0; bits < halves.length; bits++) {
            halves[bits] = Float16.toFloat((short) bits);
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt(0x3000_0000, 0x4780_0000)); // ~2^-31 .. 65536
            int expected = nearest(halves, f);
            assertThat(Float16.toHalf(f) & 0xFFFF).as("%s", f).isEqualTo(expected);
            assertThat(Float16.toHalf(-f) & 0xFFFF).isEqualTo(expected | 0x8000);
        }
    }

    private static int nearest(double[] halves, float value) {
        if (value >= 65520f) {
            return 0x7C00;
        }
        int i = Arrays.binarySearch(halves, value);
        if (i >= 0) {
            return i;
        }
        int above = -i - 1;
        if (above == halves.length) {
            return halves.length - 1;
        }
        int below = above - 1;
        double dBelow = value - halves[below];
        double dAbove = halves[above] - value;
        if (dBelow != dAbove) {
            return dBelow < dAbove ? below : above;
        }
        return (below & 1) == 0 ? below : above;
    }

    private static void assertHalf(float value, int bits) {
        assertThat(Float16.toHalf(value) & 0xFFFF).as("toHalf(%s)", value).isEqualTo(bits);
    }
}
