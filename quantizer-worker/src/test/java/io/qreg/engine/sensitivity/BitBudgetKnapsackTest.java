package io.qreg.engine.sensitivity;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BitBudgetKnapsackTest {

    /** Every combination of choices: the least error within the budget, or +∞ if none fits. */
    private static double bruteForce(List<List<BitBudgetKnapsack.Choice>> layers, long budget) {
        return search(layers, 0, budget, 0);
    }

    private static double search(List<List<BitBudgetKnapsack.Choice>> layers, int i, long left, double error) {
        if (left < 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (i == layers.size()) {
            return error;
        }
        double best = Double.POSITIVE_INFINITY;
        for (BitBudgetKnapsack.Choice c : layers.get(i)) {
            best = Math.min(best, search(layers, i + 1, left - c.bits(), error + c.error()));
        }
        return best;
    }

    private static List<List<BitBudgetKnapsack.Choice>> randomInstance(Random random, int n) {
        List<List<BitBudgetKnapsack.Choice>> layers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // int4 (cheap, noisy), int8 (dearer, quieter), float (dearest, no error), as the engine builds them.
            long cheap = random.nextInt(10);
            double noise = random.nextDouble() * 10;
            layers.add(List.of(new BitBudgetKnapsack.Choice(cheap, noise),
                    new BitBudgetKnapsack.Choice(cheap + 1 + random.nextInt(8), noise * random.nextDouble() * 0.2),
                    new BitBudgetKnapsack.Choice(cheap + 9 + random.nextInt(20), 0)));
        }
        return layers;
    }

    @Test
    void matchesBruteForceOnSmallRandomInstances() {
        Random random = new Random(13);
        for (int trial = 0; trial < 300; trial++) {
            List<List<BitBudgetKnapsack.Choice>> layers = randomInstance(random, 1 + random.nextInt(7));
            long budget = random.nextInt(120);
            double expected = bruteForce(layers, budget);

            int[] chosen = BitBudgetKnapsack.solve(layers, budget, 1);

            if (expected == Double.POSITIVE_INFINITY) {
                assertThat(chosen).as("trial %d infeasible", trial).isNull();
                continue;
            }
            assertThat(chosen).as("trial %d", trial).isNotNull();
            long bits = 0;
            double error = 0;
            for (int i = 0; i < chosen.length; i++) {
                bits += layers.get(i).get(chosen[i]).bits();
                error += layers.get(i).get(chosen[i]).error();
            }
            assertThat(bits).as("trial %d bits", trial).isLessThanOrEqualTo(budget);
            assertThat(error).as("trial %d error", trial).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void coarseUnitsNeverExceedTheBudget() {
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            List<List<BitBudgetKnapsack.Choice>> layers = randomInstance(random, 1 + random.nextInt(6));
            long budget = 20 + random.nextInt(100);
            long unit = 1 + random.nextInt(7);

            int[] chosen = BitBudgetKnapsack.solve(layers, budget, unit);

            if (chosen == null) {
                continue;
            }
            long bits = 0;
            for (int i = 0; i < chosen.length; i++) {
                bits += layers.get(i).get(chosen[i]).bits();
            }
            assertThat(bits).as("trial %d with unit %d", trial, unit).isLessThanOrEqualTo(budget);
            // Never worse than the exact optimum of the budget shrunk by one unit per layer.
            double shrunk = bruteForce(layers, budget - (long) layers.size() * unit);
            double error = 0;
            for (int i = 0; i < chosen.length; i++) {
                error += layers.get(i).get(chosen[i]).error();
            }
            assertThat(error).isLessThanOrEqualTo(shrunk + 1e-9);
        }
    }

    @Test
    void spendsTheBudgetWhereItRemovesTheMostError() {
        List<List<BitBudgetKnapsack.Choice>> layers = List.of(
                List.of(new BitBudgetKnapsack.Choice(0, 1.0), new BitBudgetKnapsack.Choice(4, 0.1)),
                List.of(new BitBudgetKnapsack.Choice(0, 9.0), new BitBudgetKnapsack.Choice(4, 0.5)));

        assertThat(BitBudgetKnapsack.solve(layers, 5, 1)).containsExactly(0, 1);
        assertThat(BitBudgetKnapsack.solve(layers, 8, 1)).containsExactly(1, 1);
        assertThat(BitBudgetKnapsack.solve(layers, -1, 1)).isNull();
    }
}
