package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import java.util.Map;

/**
 * One method's rewrite of the graph. A pass walks the nodes, asks its {@link OpQuantizer} table
 * which op types it handles, honours the options' exclusions, and reports every node it
 * considered, quantized or not.
 */
public interface QuantizationPass {

    void apply(QuantizationContext context) throws QuantizationException;

    /** The op types this pass handles and what it does with each, for the coverage table (docs/BENCHMARKS.md). */
    default Map<String, Coverage> coverage() {
        return Map.of();
    }
}
