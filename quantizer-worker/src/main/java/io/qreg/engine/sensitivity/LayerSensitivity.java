package io.qreg.engine.sensitivity;

/**
 * The output error with only one layer quantized.
 *
 * @param node the node's name (what {@code excludeNodes} takes)
 */
public record LayerSensitivity(String node, String opType, OutputError error) {

    public double sqnrDb() {
        return error.sqnrDb();
    }
}
