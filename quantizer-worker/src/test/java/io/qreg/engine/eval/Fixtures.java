package io.qreg.engine.eval;

import io.qreg.npy.NpyArray;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The fixture models and arrays shipped in this module's test resources. */
public final class Fixtures {

    private Fixtures() {
    }

    public static Path path(String name) {
        URL url = Fixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test fixture " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of the fixture in {@code directory}, under its own name, where a model can sit next to its data. */
    public static Path copy(String name, Path directory) throws IOException {
        return Files.copy(path(name), directory.resolve(name));
    }

    /** bytelm_small's evaluation split: 200 sequences of 128 byte ids, every position labelled with the next byte. */
    public static EvaluationData bytelmEvalSplit() throws IOException {
        return EvaluationData.open(Map.of("input_ids", path("bytelm_small_eval_ids.npy")),
                path("bytelm_small_eval_labels.npy"), null);
    }

    /** The digits evaluation split as the MLP reads it: 500 labelled rows of 64 pixels. */
    public static EvaluationData digitsEvalSplit() throws IOException {
        return digitsEvalSplit(null);
    }

    /** The same with {@code slices}, a file of each row's slice id. */
    public static EvaluationData digitsEvalSplit(Path slices) throws IOException {
        return EvaluationData.open(Map.of("input", path("digits_eval_x.npy")), path("digits_eval_y.npy"), slices);
    }

    /** The digits evaluation split as the CNN reads it, each row an 8 × 8 image. */
    public static EvaluationData digitsImageEvalSplit() throws IOException {
        return EvaluationData.open(Map.of("input", path("digits_eval_x_img.npy")), path("digits_eval_y.npy"), null);
    }

    /** A fixture .npy array. */
    public static NpyArray npy(String name) throws IOException {
        return NpyArray.read(path(name));
    }
}
