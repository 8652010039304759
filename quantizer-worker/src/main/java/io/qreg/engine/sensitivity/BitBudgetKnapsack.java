package io.qreg.engine.sensitivity;

import java.util.Arrays;
import java.util.List;

/**
 * A multiple-choice knapsack: each layer takes exactly one of its options (a precision with its stored bits and its
 * estimated error power), minimising the summed error with the summed bits at most a budget.
 *
 * <p>Solved exactly by dynamic programming over the bit budget in whole units of {@code unitBits}: every option's
 * bits are rounded UP to whole units and the budget DOWN, so any selection the DP accepts truly fits (the rounding
 * can only cost optimality, never feasibility). With {@code unitBits = 1} (or every cost a multiple of the unit) the
 * result is the exact optimum; otherwise it is the exact optimum of the rounded problem, which is within the
 * optimum of the budget shrunk by {@code layers · unitBits}. Cost O(layers · options · budget/unit).
 */
final class BitBudgetKnapsack {

    /** One precision a layer can take: what it costs and how much output error it is estimated to add. */
    record Choice(long bits, double error) {
    }

    private BitBudgetKnapsack() {
    }

    /**
     * @param layers per layer, its choices (at least one each)
     * @param budgetBits the most the chosen options' bits may add up to
     * @param unitBits the DP's resolution in bits (1 = exact)
     * @return the chosen option's index per layer, or null if not even the cheapest choices fit
     */
    static int[] solve(List<List<Choice>> layers, long budgetBits, long unitBits) {
        if (unitBits < 1) {
            throw new IllegalArgumentException("unit must be at least one bit, got " + unitBits);
        }
        int n = layers.size();
        long units = Math.floorDiv(budgetBits, unitBits);
        if (units < 0) {
            return null;
        }
        if (units > 50_000_000L / Math.max(1, n)) {
            throw new IllegalArgumentException("budget of " + units + " units is too fine for " + n + " layers");
        }
        int capacity = (int) units;
        double[] best = new double[capacity + 1];
        Arrays.fill(best, Double.POSITIVE_INFINITY);
        best[0] = 0;
        // Which choice layer i took to reach each used-capacity, for the walk back.
        int[][] took = new int[n][capacity + 1];
        for (int i = 0; i < n; i++) {
            List<Choice> choices = layers.get(i);
            double[] next = new double[capacity + 1];
            Arrays.fill(next, Double.POSITIVE_INFINITY);
            Arrays.fill(took[i], -1);
            for (int c = 0; c < choices.size(); c++) {
                Choice choice = choices.get(c);
                long costUnits = Math.floorDiv(choice.bits() + unitBits - 1, unitBits);
                if (costUnits > capacity) {
                    continue;
                }
                int cost = (int) costUnits;
                for (int used = 0; used + cost <= capacity; used++) {
                    if (best[used] == Double.POSITIVE_INFINITY) {
                        continue;
                    }
                    double total = best[used] + choice.error();
                    if (total < next[used + cost]) {
                        next[used + cost] = total;
                        took[i][used + cost] = c;
                    }
                }
            }
            best = next;
        }
        int end = -1;
        for (int used = 0; used <= capacity; used++) {
            if (best[used] < Double.POSITIVE_INFINITY && (end < 0 || best[used] < best[end])) {
                end = used;
            }
        }
        if (end < 0) {
            return null;
        }
        int[] chosen = new int[n];
        for (int i = n - 1; i >= 0; i--) {
            int c = took[i][end];
            chosen[i] = c;
            end -= (int) Math.floorDiv(layers.get(i).get(c).bits() + unitBits - 1, unitBits);
        }
        return chosen;
    }
}
