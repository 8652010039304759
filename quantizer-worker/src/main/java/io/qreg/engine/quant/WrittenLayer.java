package io.qreg.engine.quant;

/**
 * One weight-bearing node of a written model, as its weights are actually stored.
 *
 * @param node the node's name, or {@link io.qreg.engine.model.Nodes#describe} when it has none
 * @param parameters weight elements (biases excluded)
 * @param storedBits bits the weights take in the file, with their scales and zero points
 */
public record WrittenLayer(String node, String opType, WeightPrecision precision, long parameters, long storedBits) {
}
