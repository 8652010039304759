package io.qreg.engine.trainedlm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** The parameters of a {@link ByteMlpLmConfig} model, initialised from its seed. Linear weights are [in, out]. */
final class ByteMlpLmWeights {

    /** One residual MLP block: LayerNorm, up [d, mlp] + bias, GELU, down [mlp, d] + bias. */
    record Block(Param lnScale, Param lnBias, Param upWeight, Param upBias, Param downWeight, Param downBias) {
    }

    final ByteMlpLmConfig config;
    final Param embedding;
    final Param inLnScale;
    final Param inLnBias;
    final Param inWeight;
    final Param inBias;
    final List<Block> blocks = new ArrayList<>();
    final Param finalLnScale;
    final Param finalLnBias;
    final Param headWeight;
    final Param headBias;

    ByteMlpLmWeights(ByteMlpLmConfig config) {
        this.config = config;
        SplittableRandom random = new SplittableRandom(config.seed());
        int cw = config.contextWidth();
        int d = config.d();
        int mlp = config.mlp();
        embedding = new Param("embedding.weight", gaussian(random, (ByteMlpLmConfig.VOCAB + 1) * config.embed(), 1.0),
                ByteMlpLmConfig.VOCAB + 1, config.embed());
        inLnScale = new Param("in_ln.weight", filled(cw, 1f), cw);
        inLnBias = new Param("in_ln.bias", new float[cw], cw);
        inWeight = new Param("in.weight", gaussian(random, cw * d, 1 / Math.sqrt(cw)), cw, d);
        inBias = new Param("in.bias", new float[d], d);
        // Residual branches start small so the stream stays near the input projection early in training.
        double downStd = 1 / Math.sqrt(mlp) / Math.sqrt(2.0 * config.blocks());
        for (int b = 0; b < config.blocks(); b++) {
            String p = "blocks." + b + ".";
            blocks.add(new Block(new Param(p + "ln.weight", filled(d, 1f), d), new Param(p + "ln.bias", new float[d], d),
                    new Param(p + "up.weight", gaussian(random, d * mlp, 1 / Math.sqrt(d)), d, mlp),
                    new Param(p + "up.bias", new float[mlp], mlp),
                    new Param(p + "down.weight", gaussian(random, mlp * d, downStd), mlp, d),
                    new Param(p + "down.bias", new float[d], d)));
        }
        finalLnScale = new Param("final_ln.weight", filled(d, 1f), d);
        finalLnBias = new Param("final_ln.bias", new float[d], d);
        headWeight = new Param("head.weight", gaussian(random, d * ByteMlpLmConfig.VOCAB, 1 / Math.sqrt(d)), d,
                ByteMlpLmConfig.VOCAB);
        headBias = new Param("head.bias", new float[ByteMlpLmConfig.VOCAB], ByteMlpLmConfig.VOCAB);
    }

    List<Param> all() {
        List<Param> all = new ArrayList<>(List.of(embedding, inLnScale, inLnBias, inWeight, inBias));
        for (Block b : blocks) {
            all.addAll(List.of(b.lnScale(), b.lnBias(), b.upWeight(), b.upBias(), b.downWeight(), b.downBias()));
        }
        all.addAll(List.of(finalLnScale, finalLnBias, headWeight, headBias));
        return all;
    }

    /** The weights of {@code config} as a written model holds them (its initializers, by name). */
    static ByteMlpLmWeights load(ByteMlpLmConfig config, io.qreg.engine.model.OnnxModel model) {
        ByteMlpLmWeights weights = new ByteMlpLmWeights(config);
        for (Param p : weights.all()) {
            float[] stored = io.qreg.engine.tensor.Tensors.toFloats(model.graph().initializer(p.name)
                    .orElseThrow(() -> new IllegalArgumentException("the model has no initializer " + p.name)));
            if (stored.length != p.value.length) {
                throw new IllegalArgumentException(p.name + " holds " + stored.length + " values, not " + p.value.length);
            }
            System.arraycopy(stored, 0, p.value, 0, stored.length);
        }
        return weights;
    }

    long count() {
        return all().stream().mapToLong(p -> p.value.length).sum();
    }

    private static float[] filled(int n, float v) {
        float[] values = new float[n];
        Arrays.fill(values, v);
        return values;
    }

    private static float[] gaussian(SplittableRandom random, int n, double std) {
        float[] values = new float[n];
        for (int i = 0; i < n; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms.
            double r = Math.sqrt(-2 * Math.log(1.0 - random.nextDouble())) * std;
            double angle = 2 * Math.PI * random.nextDouble();
            values[i] = (float) (r * Math.cos(angle));
            if (i + 1 < n) {
                values[i + 1] = (float) (r * Math.sin(angle));
            }
        }
        return values;
    }
}
