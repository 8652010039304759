package io.qreg.engine.sensitivity;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Classpath fixtures copied into a test's directory, and options with calibration and a budget. */
final class Fixtures {

    private Fixtures() {
    }

    /** A copy of the fixture {@code name} in {@code directory}. */
    static Path copy(String name, Path directory) throws IOException {
        return io.qreg.engine.eval.Fixtures.copy(name, directory);
    }

    static QuantizationOptions options(Method method, boolean symmetric, Map<String, Path> calibration, Double budget) {
        QuantizationOptions d = QuantizationOptions.defaults(method);
        return new QuantizationOptions(method, false, symmetric, d.blockSize(), d.calibrationMethod(), d.percentile(),
                Set.of(), Set.of(), calibration, budget, null, true);
    }
}
