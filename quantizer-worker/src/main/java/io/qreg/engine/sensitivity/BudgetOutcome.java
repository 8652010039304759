package io.qreg.engine.sensitivity;

import java.util.List;

/**
 * What the accuracy-budget loop decided and the error of the model that was written.
 *
 * @param budget the largest relative output error allowed, a fraction (0.01 = 1 %)
 * @param initialRelativeError with every candidate layer quantized
 * @param finalRelativeError of the saved model, measured after it was written out
 * @param keptFloat the layers put back to float, most sensitive first
 */
public record BudgetOutcome(double budget, double initialRelativeError, double finalRelativeError,
        List<String> keptFloat) {

    public BudgetOutcome {
        keptFloat = List.copyOf(keptFloat);
    }

    public boolean reached() {
        return finalRelativeError <= budget;
    }
}
