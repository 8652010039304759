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
 * @param seqLen         size of other symbolic dimensions (e.g. sequence length) when no input is given
 * @param seed           seed for random inputs, so reruns feed the same data
 * @param givenInputs    input name → array to feed instead of random data (its first samples, cycled if fewer
 *                       than the batch); symbolic dims then take the array's sizes. May be empty.
 */
public record BenchmarkOptions(int batch, int intraOpThreads, int iterations, int warmup, int seqLen, long seed,
                               Map<String, NpyArray> givenInputs) {

    public static final int DEFAULT_ITERATIONS = 100;
    public static final int DEFAULT_WARMUP = 10;
    public static final int DEFAULT_SEQ_LEN = 128;

    public BenchmarkOptions {
        positive("batch", batch);
        positive("iterations", iterations);
        positive("sequence length", seqLen);
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up runs cannot be negative, got " + warmup);
        }
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException("thread count must be 0 (default) or positive, got " + intraOpThreads);
        }
        givenInputs = Map.copyOf(givenInputs);
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
