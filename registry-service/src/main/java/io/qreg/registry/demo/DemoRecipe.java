package io.qreg.registry.demo;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.weightonly.Algorithm;

/**
 * A recipe the demo uses: a name of its own, so no one's recipe of the same name gains a version.
 *
 * @param algorithm the weight-only algorithm (gptq, ...), null for the method's default
 */
record DemoRecipe(String name, String method, Integer blockSize, String calibrationMethod, String algorithm) {

    DemoRecipe(Method method, Integer blockSize, String calibrationMethod) {
        this("demo-" + method.wireName(), method.wireName(), blockSize, calibrationMethod, null);
    }

    /** A weight-only recipe with another algorithm than round-to-nearest, e.g. {@code demo-int4-weight-gptq}. */
    DemoRecipe(Method method, Integer blockSize, String calibrationMethod, String algorithm) {
        this("demo-" + method.wireName() + "-" + algorithm, method.wireName(), blockSize, calibrationMethod, algorithm);
    }

    /** int8-static calibrates its activation ranges; GPTQ and AWQ fit the weights to calibration activations. */
    boolean needsCalibration() {
        return calibrationMethod != null || (algorithm != null && Algorithm.parse(algorithm).needsCalibration());
    }
}
