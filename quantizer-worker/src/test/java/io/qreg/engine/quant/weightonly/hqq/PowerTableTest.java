package io.qreg.engine.quant.weightonly.hqq;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The table HQQ's shrink step uses instead of Math.pow, against Math.pow over magnitudes from 1e-300 to 1e300. */
class PowerTableTest {

    @Test
    void agreesWithMathPowToARelativeThreeTimesTenToTheMinusEight() {
        SplittableRandom random = new SplittableRandom(4);
        for (double a : new double[] {-0.3, -1, -0.5, 0}) {
            PowerTable table = new PowerTable(a);
            double worst = 0;
            for (int i = 0; i < 200_000; i++) {
                double x = Math.pow(10, random.nextDouble(-300, 300));
                double exact = Math.pow(x, a);
                worst = Math.max(worst, Math.abs(table.of(x) - exact) / exact);
            }
            assertThat(worst).as("a = %s", a).isLessThan(a == -0.3 ? 5e-9 : 3e-8);
            assertThat(table.of(1.0)).isEqualTo(1.0);
            assertThat(table.of(0.0)).isEqualTo(Math.pow(0.0, a));
            assertThat(table.of(Double.MIN_VALUE)).isEqualTo(Math.pow(Double.MIN_VALUE, a));
        }
    }
}
