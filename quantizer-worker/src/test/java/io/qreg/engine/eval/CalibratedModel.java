package io.qreg.engine.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A fixture model shipped with calibration samples: the model, the input it reads and the samples for it.
 *
 * @param model the model's fixture name
 * @param input the name of the input the samples feed
 * @param samples the samples' fixture name
 */
public record CalibratedModel(String model, String input, String samples) {

    public static final CalibratedModel DIGITS_MLP = new CalibratedModel("digits_mlp.onnx", "input",
            "digits_calib_x.npy");
    public static final CalibratedModel DIGITS_CNN = new CalibratedModel("digits_cnn.onnx", "input",
            "digits_calib_x_img.npy");
    public static final CalibratedModel BYTELM_SMALL = new CalibratedModel("bytelm_small.onnx", "input_ids",
            "bytelm_small_calib_ids.npy");

    /** Copies the model and its samples side by side into {@code directory}. */
    public Copy copyTo(Path directory) throws IOException {
        return new Copy(Fixtures.copy(model, directory), Map.of(input, Fixtures.copy(samples, directory)));
    }

    /** A copied model, and its calibration inputs as the options take them: the samples file by input name. */
    public record Copy(Path model, Map<String, Path> calibration) {
    }
}
