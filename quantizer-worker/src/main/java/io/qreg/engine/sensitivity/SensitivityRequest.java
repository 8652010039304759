package io.qreg.engine.sensitivity;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;

/**
 * Whether a quantization run measures per-layer sensitivity, and on how much data.
 *
 * @param measure run the analysis (needs calibration inputs)
 * @param maxSamples calibration samples the measurements use (the first ones); every candidate layer costs
 *        one run over them, so this bounds the analysis' cost
 * @param batchSize samples per ONNX Runtime call
 */
public record SensitivityRequest(boolean measure, int maxSamples, int batchSize) {

    public static final int DEFAULT_MAX_SAMPLES = 64;
    public static final int DEFAULT_BATCH_SIZE = 16;
    public static final SensitivityRequest NONE = new SensitivityRequest(false, DEFAULT_MAX_SAMPLES,
            DEFAULT_BATCH_SIZE);

    public SensitivityRequest {
        if (maxSamples < 1 || batchSize < 1) {
            throw new IllegalArgumentException("samples and batch size must be at least 1, got " + maxSamples
                    + " and " + batchSize);
        }
    }

    public static SensitivityRequest measure(int maxSamples) {
        return new SensitivityRequest(true, maxSamples, Math.min(maxSamples, DEFAULT_BATCH_SIZE));
    }

    /**
     * What the options ask for by themselves: an accuracy budget needs the analysis; calibration inputs
     * given to a method that does not calibrate are there for it. int8-static always has calibration
     * inputs (its ranges come from them), so for it the analysis must be asked for explicitly: it costs
     * one calibration and one run per layer, too much to add to every static run unasked. The same holds for
     * a weight-only algorithm that reads layer inputs (GPTQ, AWQ): the data is there for the algorithm.
     */
    public static SensitivityRequest implied(QuantizationOptions options) {
        boolean calibrationForSensitivity = !options.calibrationInputs().isEmpty()
                && options.method() != Method.INT8_STATIC && !options.algorithm().needsCalibration();
        return options.accuracyBudget() != null || options.targetBitsPerWeight() != null || calibrationForSensitivity
                ? measure(DEFAULT_MAX_SAMPLES) : NONE;
    }
}
