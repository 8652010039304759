package io.qreg.engine.quant;

/**
 * What the engine did with one node: quantized it (and how), or kept it in float and why.
 *
 * @param weightBytesBefore bytes of the node's weight initializers before (0 when it has none)
 * @param weightBytesAfter bytes of what replaced them
 * @param sensitivitySqnrDb SQNR of the model output when only this node is quantized, if measured
 */
public record LayerReport(String node, String opType, Status status, String detail, long weightBytesBefore,
        long weightBytesAfter, Double sensitivitySqnrDb) {

    public enum Status { QUANTIZED, EXCLUDED, KEPT_FLOAT, UNSUPPORTED }

    public static LayerReport quantized(String node, String opType, String detail, long before, long after) {
        return new LayerReport(node, opType, Status.QUANTIZED, detail, before, after, null);
    }

    public static LayerReport kept(String node, String opType, Status status, String reason) {
        return new LayerReport(node, opType, status, reason, 0, 0, null);
    }

    public LayerReport withSensitivity(double sqnrDb) {
        return new LayerReport(node, opType, status, detail, weightBytesBefore, weightBytesAfter, sqnrDb);
    }
}
