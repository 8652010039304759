package io.qreg.engine.trainedlm;

/**
 * The shape and training schedule of a byte-level MLP language model: each position sees the embeddings of its last
 * {@code context} bytes (256 stands for "before the start"), concatenated, then a LayerNorm and an input projection to
 * width {@code d}, {@code blocks} pre-LayerNorm MLP blocks with a residual ({@code d → mlp → d}, exact GELU), a final
 * LayerNorm and the LM head over 256 bytes.
 *
 * @param steps Adam steps of {@code batch} (context, next byte) examples each
 * @param learningRate Adam's peak step size (linear warm-up, then linear decay to a tenth)
 * @param seed initial weights and the order examples are drawn in
 */
public record ByteMlpLmConfig(int context, int embed, int d, int mlp, int blocks, int steps, int batch,
        double learningRate, long seed) {

    public static final int VOCAB = 256;
    /** The extra embedding row read for positions before the sequence's start. */
    public static final int PAD = 256;
    /** Bumped whenever the architecture, initialisation or training changes, so cached models are not reused. */
    static final int GENERATOR_VERSION = 1;

    public ByteMlpLmConfig {
        if (context < 1 || embed < 1 || d < 1 || mlp < 1 || blocks < 1 || steps < 0 || batch < 1) {
            throw new IllegalArgumentException("all sizes must be positive");
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("the learning rate must be positive, got " + learningRate);
        }
    }

    /**
     * The model the larger-LM tests use: 16 bytes of context, 3 blocks of 256 → 1024 → 256, about 1.8M parameters.
     * It is trained on 8,000 of the calibration split's 8,128 (context, next byte) examples, about one pass: more
     * passes only memorise it, since 64 sequences of 128 bytes are all the training text there is.
     */
    public static ByteMlpLmConfig standard() {
        return new ByteMlpLmConfig(16, 32, 256, 1024, 3, 500, 16, 2e-3, 13L);
    }

    /** Width of the concatenated context embeddings, the input projection's K. */
    public int contextWidth() {
        return context * embed;
    }

    /** Every trained value: embeddings, LayerNorm scales and biases, linear weights and biases. */
    public long parameterCount() {
        long perBlock = 2L * d + (long) d * mlp + mlp + (long) mlp * d + d;
        return (long) (VOCAB + 1) * embed + 2L * contextWidth() + (long) contextWidth() * d + d + blocks * perBlock
                + 2L * d + (long) d * VOCAB + VOCAB;
    }

    /** A file-name-safe key naming everything the trained weights depend on. */
    public String cacheKey() {
        return "c" + context + "-e" + embed + "-d" + d + "-m" + mlp + "-b" + blocks + "-s" + steps + "-bs" + batch
                + "-lr" + learningRate + "-seed" + seed + "-v" + GENERATOR_VERSION;
    }
}
