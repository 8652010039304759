package io.qreg.engine.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The fixture models shipped with calibration samples: each model, the input it reads and the samples for it. */
public enum CalibratedModel {
    DIGITS_MLP("digits_mlp.onnx", "input", "digits_calib_x.npy"),
    DIGITS_CNN("digits_cnn.onnx", "input", "digits_calib_x_img.npy"),
    BYTELM_SMALL("bytelm_small.onnx", "input_ids", "bytelm_small_calib_ids.npy");

    private final String model;
    private final String input;
    private final String samples;

    CalibratedModel(String model, String input, String samples) {
        this.model = model;
        this.input = input;
        this.samples = samples;
    }

    /** Copies the model and its samples side by side into {@code directory}. */
    public Copy copyTo(Path directory) throws IOException {
        return new Copy(Fixtures.copy(model, directory), Map.of(input, Fixtures.copy(samples, directory)));
    }

    /** A copied model, and its calibration inputs as the options take them: the samples file by input name. */
    public record Copy(Path model, Map<String, Path> calibration) {
    }
}
