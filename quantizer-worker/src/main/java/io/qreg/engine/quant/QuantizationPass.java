package io.qreg.engine.quant;

import java.util.Set;

/**
 * One method's rewrite of the graph. A pass walks the nodes, asks its {@link OpQuantizer} table
 * which op types it handles, honours the options' exclusions, and reports every node it
 * considered, quantized or not.
 */
public interface QuantizationPass {

    void apply(QuantizationContext context) throws QuantizationException;

    /**
     * The default-domain op types this pass has a rewrite for, which {@link FloatLayerReports} names when
     * it explains a float layer; empty when the pass does not say.
     */
    default Set<String> opTypes() {
        return Set.of();
    }
}
