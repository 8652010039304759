package io.qreg.engine.sensitivity;

import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.QuantizationOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Classpath fixtures copied into a test's directory, and options with calibration and a budget. */
final class Fixtures {

    private Fixtures() {
    }

    static Path copy(String name, Path directory) throws IOException {
        Path target = directory.resolve(name);
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            Files.copy(in, target);
        }
        return target;
    }

    static QuantizationOptions options(Method method, boolean symmetric, Map<String, Path> calibration, Double budget) {
        QuantizationOptions d = QuantizationOptions.defaults(method);
        return new QuantizationOptions(method, false, symmetric, d.blockSize(), d.calibrationMethod(), d.percentile(),
                Set.of(), Set.of(), calibration, budget, null, true);
    }
}
