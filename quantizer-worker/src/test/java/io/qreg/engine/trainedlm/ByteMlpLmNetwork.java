package io.qreg.engine.trainedlm;

import java.util.ArrayList;
import java.util.List;

/**
 * The model's forward pass over a batch of contexts (what the ONNX graph computes, position by position) and its
 * backward pass into the {@link Param} gradients. Buffers are sized for at most {@code maxRows} contexts and reused.
 */
final class ByteMlpLmNetwork {

    /** Activations of one block kept for the backward pass. */
    private record BlockActivations(float[] xhat, float[] rstd, float[] normed, float[] up, float[] gelu) {
    }

    private final ByteMlpLmWeights weights;
    private final ByteMlpLmConfig config;
    private final int maxRows;
    private int rows;
    private final int[] contexts;
    private final float[] embedded;
    private final float[] inXhat;
    private final float[] inRstd;
    private final float[] inNormed;
    private final List<float[]> streams = new ArrayList<>();
    private final List<BlockActivations> blocks = new ArrayList<>();
    private final float[] finalXhat;
    private final float[] finalRstd;
    private final float[] finalNormed;
    private final float[] logits;
    private final float[] scratch;

    ByteMlpLmNetwork(ByteMlpLmWeights weights, int maxRows) {
        this.weights = weights;
        this.config = weights.config;
        this.maxRows = maxRows;
        int cw = config.contextWidth();
        int d = config.d();
        int m = config.mlp();
        contexts = new int[maxRows * config.context()];
        embedded = new float[maxRows * cw];
        inXhat = new float[maxRows * cw];
        inRstd = new float[maxRows];
        inNormed = new float[maxRows * cw];
        for (int b = 0; b <= config.blocks(); b++) {
            streams.add(new float[maxRows * d]);
        }
        for (int b = 0; b < config.blocks(); b++) {
            blocks.add(new BlockActivations(new float[maxRows * d], new float[maxRows], new float[maxRows * d],
                    new float[maxRows * m], new float[maxRows * m]));
        }
        finalXhat = new float[maxRows * d];
        finalRstd = new float[maxRows];
        finalNormed = new float[maxRows * d];
        logits = new float[maxRows * ByteMlpLmConfig.VOCAB];
        scratch = new float[Math.max(Math.max(cw, m) * d, d * ByteMlpLmConfig.VOCAB)];
    }

    /**
     * Logits [rows, 256] for {@code rows} contexts of {@link ByteMlpLmConfig#context()} byte ids each (oldest first,
     * {@link ByteMlpLmConfig#PAD} before the start). The returned array is this network's buffer.
     */
    float[] forward(int[] contextIds, int rows) {
        if (rows > maxRows) {
            throw new IllegalArgumentException(rows + " rows exceed the network's " + maxRows);
        }
        this.rows = rows;
        int c = config.context();
        int e = config.embed();
        int cw = config.contextWidth();
        int d = config.d();
        int m = config.mlp();
        System.arraycopy(contextIds, 0, contexts, 0, rows * c);
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < c; p++) {
                System.arraycopy(weights.embedding.value, contexts[r * c + p] * e, embedded, r * cw + p * e, e);
            }
        }
        Dense.layerNorm(embedded, rows, cw, weights.inLnScale.value, weights.inLnBias.value, inXhat, inRstd, inNormed);
        Dense.linear(inNormed, rows, cw, weights.inWeight.value, weights.inBias.value, d, streams.get(0));
        for (int b = 0; b < config.blocks(); b++) {
            ByteMlpLmWeights.Block w = weights.blocks.get(b);
            BlockActivations a = blocks.get(b);
            float[] x = streams.get(b);
            float[] next = streams.get(b + 1);
            Dense.layerNorm(x, rows, d, w.lnScale().value, w.lnBias().value, a.xhat(), a.rstd(), a.normed());
            Dense.linear(a.normed(), rows, d, w.upWeight().value, w.upBias().value, m, a.up());
            for (int i = 0; i < rows * m; i++) {
                a.gelu()[i] = Dense.gelu(a.up()[i]);
            }
            Dense.linear(a.gelu(), rows, m, w.downWeight().value, w.downBias().value, d, next);
            for (int i = 0; i < rows * d; i++) {
                next[i] += x[i];
            }
        }
        Dense.layerNorm(streams.get(config.blocks()), rows, d, weights.finalLnScale.value, weights.finalLnBias.value,
                finalXhat, finalRstd, finalNormed);
        Dense.linear(finalNormed, rows, d, weights.headWeight.value, weights.headBias.value, ByteMlpLmConfig.VOCAB,
                logits);
        return logits;
    }

    /**
     * Mean cross-entropy of the last {@link #forward} against {@code targets}, with its gradient accumulated into
     * every parameter's {@link Param#grad}.
     */
    double backward(int[] targets) {
        int v = ByteMlpLmConfig.VOCAB;
        int c = config.context();
        int e = config.embed();
        int cw = config.contextWidth();
        int d = config.d();
        int m = config.mlp();
        float[] dLogits = new float[rows * v];
        double loss = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * v;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) {
                max = Math.max(max, logits[o + j]);
            }
            double z = 0;
            for (int j = 0; j < v; j++) {
                double p = Math.exp(logits[o + j] - max);
                dLogits[o + j] = (float) p;
                z += p;
            }
            loss += Math.log(z) + max - logits[o + targets[r]];
            for (int j = 0; j < v; j++) {
                dLogits[o + j] = (float) (dLogits[o + j] / z / rows);
            }
            dLogits[o + targets[r]] -= 1f / rows;
        }
        float[] dNormed = new float[rows * d];
        Dense.linearBackward(finalNormed, rows, d, weights.headWeight.value, v, dLogits, weights.headWeight.grad,
                weights.headBias.grad, dNormed, scratch);
        float[] dStream = new float[rows * d];
        Dense.layerNormBackward(dNormed, rows, d, weights.finalLnScale.value, finalXhat, finalRstd,
                weights.finalLnScale.grad, weights.finalLnBias.grad, dStream);
        float[] dGelu = new float[rows * m];
        float[] dBranch = new float[rows * d];
        for (int b = config.blocks() - 1; b >= 0; b--) {
            ByteMlpLmWeights.Block w = weights.blocks.get(b);
            BlockActivations a = blocks.get(b);
            Dense.linearBackward(a.gelu(), rows, m, w.downWeight().value, d, dStream, w.downWeight().grad,
                    w.downBias().grad, dGelu, scratch);
            for (int i = 0; i < rows * m; i++) {
                dGelu[i] *= Dense.geluDerivative(a.up()[i]);
            }
            Dense.linearBackward(a.normed(), rows, d, w.upWeight().value, m, dGelu, w.upWeight().grad,
                    w.upBias().grad, dNormed, scratch);
            Dense.layerNormBackward(dNormed, rows, d, w.lnScale().value, a.xhat(), a.rstd(), w.lnScale().grad,
                    w.lnBias().grad, dBranch);
            for (int i = 0; i < rows * d; i++) {
                dStream[i] += dBranch[i];
            }
        }
        float[] dInNormed = new float[rows * cw];
        Dense.linearBackward(inNormed, rows, cw, weights.inWeight.value, d, dStream, weights.inWeight.grad,
                weights.inBias.grad, dInNormed, scratch);
        float[] dEmbedded = new float[rows * cw];
        Dense.layerNormBackward(dInNormed, rows, cw, weights.inLnScale.value, inXhat, inRstd, weights.inLnScale.grad,
                weights.inLnBias.grad, dEmbedded);
        float[] dTable = weights.embedding.grad;
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < c; p++) {
                int row = contexts[r * c + p] * e;
                int o = r * cw + p * e;
                for (int j = 0; j < e; j++) {
                    dTable[row + j] += dEmbedded[o + j];
                }
            }
        }
        return loss / rows;
    }
}
