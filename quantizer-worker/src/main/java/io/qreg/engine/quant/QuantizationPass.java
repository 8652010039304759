package io.qreg.engine.quant;

/**
 * One method's rewrite of the graph. A pass walks the nodes, asks its {@link OpQuantizer} table
 * which op types it handles, honours the options' exclusions, and reports every node it
 * considered, quantized or not.
 */
public interface QuantizationPass {

    void apply(QuantizationContext context) throws QuantizationException;
}
