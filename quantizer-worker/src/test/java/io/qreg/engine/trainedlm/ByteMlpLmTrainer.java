package io.qreg.engine.trainedlm;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a {@link ByteMlpLmConfig} model with plain backpropagation and Adam on byte sequences: every position of every
 * sequence but the last is one example (its context, then the next byte), drawn in a seeded shuffled order.
 */
final class ByteMlpLmTrainer {

    /**
     * The trained weights, the mean training loss of each tenth of the steps (nats per byte), and the wall-clock and
     * process CPU seconds training took (CPU time says what it costs on a machine shared with other builds).
     */
    record Trained(ByteMlpLmWeights weights, List<Double> lossByTenth, double seconds, double cpuSeconds) {
    }

    private ByteMlpLmTrainer() {
    }

    static Trained train(ByteMlpLmConfig config, ByteSequences data) {
        long started = System.nanoTime();
        double cpuStarted = processCpuSeconds();
        ByteMlpLmWeights weights = new ByteMlpLmWeights(config);
        ByteMlpLmNetwork network = new ByteMlpLmNetwork(weights, config.batch());
        List<Param> params = weights.all();
        int perSequence = data.length() - 1;
        int[] order = new int[data.sequences() * perSequence];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(config.seed() * 31 + 1);
        int cursor = order.length;
        int[] contexts = new int[config.batch() * config.context()];
        int[] targets = new int[config.batch()];
        List<Double> lossByTenth = new ArrayList<>();
        double lossSum = 0;
        int lossCount = 0;
        int warmup = Math.max(1, config.steps() / 20);
        for (int step = 0; step < config.steps(); step++) {
            for (int r = 0; r < config.batch(); r++) {
                if (cursor == order.length) {
                    shuffle(order, random);
                    cursor = 0;
                }
                int example = order[cursor++];
                int s = example / perSequence;
                int t = example % perSequence;
                data.context(s, t, config.context(), contexts, r * config.context());
                targets[r] = data.id(s, t + 1);
            }
            network.forward(contexts, config.batch());
            lossSum += network.backward(targets);
            lossCount++;
            double progress = (double) step / config.steps();
            double lr = config.learningRate() * Math.min(1.0, (step + 1.0) / warmup) * (1 - 0.9 * progress);
            for (Param p : params) {
                p.adamStep(lr, step + 1);
            }
            if ((step + 1) * 10L / config.steps() > step * 10L / config.steps()) {
                lossByTenth.add(lossSum / lossCount);
                lossSum = 0;
                lossCount = 0;
            }
        }
        return new Trained(weights, lossByTenth, (System.nanoTime() - started) / 1e9,
                processCpuSeconds() - cpuStarted);
    }

    /** exp of the mean next-byte cross-entropy at every position of {@code data}, computed by the Java forward pass. */
    static double perplexity(ByteMlpLmWeights weights, ByteSequences data, int sequences) {
        int length = data.length();
        ByteMlpLmNetwork network = new ByteMlpLmNetwork(weights, length);
        int c = weights.config.context();
        int v = ByteMlpLmConfig.VOCAB;
        int[] contexts = new int[length * c];
        double sum = 0;
        for (int s = 0; s < sequences; s++) {
            for (int t = 0; t < length; t++) {
                data.context(s, t, c, contexts, t * c);
            }
            float[] logits = network.forward(contexts, length);
            for (int t = 0; t < length; t++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < v; j++) {
                    max = Math.max(max, logits[t * v + j]);
                }
                double z = 0;
                for (int j = 0; j < v; j++) {
                    z += Math.exp(logits[t * v + j] - max);
                }
                sum += Math.log(z) + max - logits[t * v + data.label(s, t)];
            }
        }
        return Math.exp(sum / ((double) sequences * length));
    }

    private static double processCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
    }
}
