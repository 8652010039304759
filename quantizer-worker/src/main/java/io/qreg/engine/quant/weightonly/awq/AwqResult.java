package io.qreg.engine.quant.weightonly.awq;

import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;

/**
 * What AWQ's search chose for one layer (or for several layers sharing one input, their weights side by side).
 *
 * @param scales s, one per input channel (k): the weight's rows are multiplied by s and the activation divided by it
 * @param alpha the exponent of the chosen s = mean|x|^α (normalised); 0 means plain round-to-nearest
 * @param quantized round-to-nearest of diag(s)·W, the weight to write once the activation is divided by s
 * @param error ‖X·W − (X/s)·Q(diag(s)·W)‖² over the calibration rows
 * @param rtnError the same error for plain round-to-nearest (s = 1), measured on the same rows
 */
public record AwqResult(float[] scales, double alpha, BlockQuantizedWeight quantized, double error,
        double rtnError) {
}
