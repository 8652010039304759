package io.qreg.engine.bench;

import io.qreg.npy.NpyArray;

import java.util.Map;

/**
 * How to benchmark.
 *
 * @param batch          samples per run; fills each input's batch (first, symbolic) dimension
 * @param intraOpThreads threads per operator, 0 for ONNX Runtime's default
 * @param iterations     timed runs per model
 * @param warmup         untimed runs per model first (arena growth, lazy kernel selection, caches)
 * @param seqLen         size of the other symbolic dimensions of integer inputs (sequence length of token ids
 *                       and masks) when no input is given
 * @param seed           seed for random inputs, so reruns feed the same data
 * @param givenInputs    input name → array to feed instead of random data (its first samples, cycled if fewer
 *                       than the batch); symbolic dims then take the array's sizes. May be empty.
 * @param concurrency    callers running each model at once, sharing its one session (ONNX Runtime sessions are
 *                       thread-safe for {@code run}); {@code iterations} is then the total of timed calls per model,
 *                       shared out among the callers. 1 times runs one after another
 * @param shapes         input name → full shape of its random data (overrides batch and seqLen for that input);
 *                       for inputs whose symbolic dimensions cannot be guessed. May be empty.
 */
public record BenchmarkOptions(int batch, int intraOpThreads, int iterations, int warmup, int seqLen, long seed,
                               Map<String, NpyArray> givenInputs, int concurrency, Map<String, long[]> shapes) {

    public static final int DEFAULT_ITERATIONS = 100;
    public static final int DEFAULT_WARMUP = 10;
    public static final int DEFAULT_SEQ_LEN = 128;

    public BenchmarkOptions {
        positive("batch", batch);
        positive("iterations", iterations);
        positive("sequence length", seqLen);
        positive("concurrency", concurrency);
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up runs cannot be negative, got " + warmup);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("thread count must be 0 (default) or positive, got " + intraOpThreads);
        }
        givenInputs = Map.copyOf(givenInputs);
        shapes = Map.copyOf(shapes);
        if (!givenInputs.isEmpty() && !shapes.isEmpty()) {
            throw new IllegalArgumentException("shapes are for random inputs; with given arrays the arrays set them");
        }
        shapes.forEach((input, shape) -> {
            for (long dim : shape) {
                if (dim < 1) {
                    throw new IllegalArgumentException("every dimension of input '" + input + "' must be at least 1");
                }
            }
        });
    }

    public BenchmarkOptions(int batch, int intraOpThreads, int iterations, int warmup, int seqLen, long seed,
                            Map<String, NpyArray> givenInputs, int concurrency) {
        this(batch, intraOpThreads, iterations, warmup, seqLen, seed, givenInputs, concurrency, Map.of());
    }

    /** One caller at a time, as before concurrency existed. */
    public BenchmarkOptions(int batch, int intraOpThreads, int iterations, int warmup, int seqLen, long seed,
                            Map<String, NpyArray> givenInputs) {
        this(batch, intraOpThreads, iterations, warmup, seqLen, seed, givenInputs, 1);
    }

    public BenchmarkOptions withConcurrency(int concurrency) {
        return new BenchmarkOptions(batch, intraOpThreads, iterations, warmup, seqLen, seed, givenInputs, concurrency,
                shapes);
    }

    public static BenchmarkOptions defaults() {
        return new BenchmarkOptions(1, 0, DEFAULT_ITERATIONS, DEFAULT_WARMUP, DEFAULT_SEQ_LEN, 42L, Map.of());
    }

    private static void positive(String what, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value);
        }
    }
}
