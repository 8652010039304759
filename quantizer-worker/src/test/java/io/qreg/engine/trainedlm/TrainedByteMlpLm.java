package io.qreg.engine.trainedlm;

import io.qreg.engine.eval.Fixtures;
import io.qreg.npy.NpyArray;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The second, larger language model of issue 13's tests: a {@link ByteMlpLmConfig} model trained on the
 * {@code bytelm_small} calibration bytes and saved with the engine's own ONNX writer. Training is deterministic (seeded
 * weights and example order), so the model is cached in {@code target/generated-models} under its
 * {@link ByteMlpLmConfig#cacheKey()} and every test class of a build reuses one training run.
 */
public final class TrainedByteMlpLm {

    /** The training run's figures, for the tests and the docs. */
    public record Training(long parameters, List<Double> lossByTenth, double seconds, double cpuSeconds) {
    }

    public static final String TRAIN_IDS = "bytelm_small_calib_ids.npy";
    public static final String EVAL_IDS = "bytelm_small_eval_ids.npy";
    public static final String EVAL_LABELS = "bytelm_small_eval_labels.npy";

    private static Training lastTraining;

    private TrainedByteMlpLm() {
    }

    /** The standard model's ONNX file, trained now if no build has cached it yet. */
    public static Path standard() {
        return model(ByteMlpLmConfig.standard());
    }

    /**
     * The model's ONNX file in {@code target/generated-models}, trained and written if not already there. The test
     * JVMs of one build share the cache, and a file lock makes the second one wait for the first's training run
     * instead of repeating it at the same time on the same cores.
     */
    public static synchronized Path model(ByteMlpLmConfig config) {
        Path file = cacheDirectory().resolve("byte-mlp-lm-" + config.cacheKey() + ".onnx");
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel lock = FileChannel.open(file.resolveSibling(file.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock held = lock.lock()) {
                if (!Files.exists(file)) {
                    train(config, file);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void train(ByteMlpLmConfig config, Path file) throws IOException {
        ByteMlpLmTrainer.Trained trained = ByteMlpLmTrainer.train(config, trainingData());
        lastTraining = new Training(config.parameterCount(), trained.lossByTenth(), trained.seconds(),
                trained.cpuSeconds());
        Path partial = Files.createTempFile(file.getParent(), "byte-mlp-lm-", ".partial");
        ByteMlpLmOnnx.write(trained.weights()).save(partial);
        // Written whole, then moved: a test class never reads a half-written cache entry.
        Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The training figures if this JVM trained the model, else null (the model came from the cache). */
    public static synchronized Training lastTraining() {
        return lastTraining;
    }

    static ByteSequences trainingData() throws IOException {
        return ByteSequences.of(NpyArray.read(Fixtures.path(TRAIN_IDS)), null);
    }

    static ByteSequences evalData() throws IOException {
        return ByteSequences.of(NpyArray.read(Fixtures.path(EVAL_IDS)), NpyArray.read(Fixtures.path(EVAL_LABELS)));
    }

    /** target/generated-models, next to target/test-classes where the fixtures are. */
    private static Path cacheDirectory() {
        Path fixtures = Fixtures.path(TRAIN_IDS);
        return fixtures.getParent().getParent().getParent().resolve("generated-models");
    }
}
