package io.qreg.engine.eval;

import io.qreg.npy.NpyArray;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scores an embedding model: the first output is one vector per item, {@code [N, D]}, or one per token,
 * {@code [N, T, D]}, which is mean-pooled over T (the pooling sentence-embedding models apply). Neighbours are
 * searched among the whole evaluation set, so every item's vector is kept until the end (N · D floats for the
 * model and as many for the reference).
 *
 * <p>Labels are optional: {@code [N]} integers, each the index of the item relevant to that item as a query
 * (negative: none). Slices group the per-item figures; neighbours are still searched among all items.
 */
final class EmbeddingScorer implements BatchScorer {

    static final int NEIGHBOURS = 10;

    private final boolean withReference;
    private final NpyArray slices;
    private final ByteBuffer sliceData;
    private final int samples;
    private final long[] relevant;
    private float[] vectors;
    private float[] referenceVectors;
    private int dimension = -1;

    EmbeddingScorer(boolean withReference, EvaluationData data, int samples) {
        this.withReference = withReference;
        this.slices = data.slices();
        this.sliceData = slices == null ? null : slices.data();
        this.samples = samples;
        if (samples < 2) {
            throw new InvalidInputException("embedding evaluation compares each item with the others and needs at"
                    + " least 2 items, got " + samples);
        }
        this.relevant = data.labels() == null ? null : relevantItems(data.labels(), samples);
        if (relevant == null && !withReference) {
            throw new InvalidInputException("embedding evaluation without a reference needs labels naming each"
                    + " item's relevant item (for recall10); otherwise there is nothing to measure");
        }
    }

    private static long[] relevantItems(NpyArray labels, int samples) {
        if (labels.elementCount() != samples) {
            throw new InvalidInputException("embedding labels hold one relevant-item index per item, shape ("
                    + samples + ",); got shape " + Arrays.toString(labels.shape()));
        }
        long[] items = new long[samples];
        ByteBuffer data = labels.data();
        for (int i = 0; i < samples; i++) {
            items[i] = NpyElements.integerAt(data, labels.dtype(), i);
            if (items[i] >= samples || items[i] == i) {
                throw new InvalidInputException("label " + items[i] + " of item " + i + " must name another item"
                        + " of the " + samples + " (an index 0.." + (samples - 1) + " other than " + i
                        + ", or negative for none)");
            }
        }
        return items;
    }

    @Override
    public void score(int start, int count, float[] out, float[] reference, long[] shape, String outputName) {
        if (shape.length != 2 && shape.length != 3) {
            throw new InvalidInputException("output '" + outputName + "' has shape " + Arrays.toString(shape)
                    + "; an embedding model's first output is [N, D] vectors or [N, T, D] token vectors");
        }
        int tokens = shape.length == 3 ? (int) shape[1] : 1;
        int d = (int) shape[shape.length - 1];
        if (dimension < 0) {
            dimension = d;
            long total = (long) samples * d;
            if (total > Integer.MAX_VALUE) {
                throw new InvalidInputException(samples + " items of " + d + " dimensions are too many to compare"
                        + " in memory; evaluate a smaller set");
            }
            vectors = new float[(int) total];
            referenceVectors = withReference ? new float[(int) total] : null;
        }
        pool(out, count, tokens, start, vectors);
        if (reference != null) {
            pool(reference, count, tokens, start, referenceVectors);
        }
    }

    /** Mean over the token axis (a no-op for one token), written at the items' rows. */
    private void pool(float[] out, int count, int tokens, int start, float[] target) {
        for (int s = 0; s < count; s++) {
            for (int d = 0; d < dimension; d++) {
                double sum = 0;
                for (int t = 0; t < tokens; t++) {
                    sum += out[(s * tokens + t) * dimension + d];
                }
                target[(start + s) * dimension + d] = (float) (sum / tokens);
            }
        }
    }

    @Override
    public EvaluationResult result(String model, String reference, String outputName) {
        int k = Math.min(NEIGHBOURS, samples - 1);
        float[] unit = NearestNeighbours.unitRows(vectors, samples, dimension);
        int[][] neighbours = NearestNeighbours.of(unit, samples, dimension, k);
        ItemFigures figures = new ItemFigures(samples);
        if (withReference) {
            float[] referenceUnit = NearestNeighbours.unitRows(referenceVectors, samples, dimension);
            int[][] referenceNeighbours = NearestNeighbours.of(referenceUnit, samples, dimension, k);
            for (int i = 0; i < samples; i++) {
                figures.cosine[i] = NearestNeighbours.dot(unit, i, referenceUnit, i, dimension);
                figures.overlap[i] = NearestNeighbours.overlap(neighbours[i], referenceNeighbours[i]);
                for (int d = i * dimension; d < (i + 1) * dimension; d++) {
                    double e = (double) referenceVectors[d] - vectors[d];
                    figures.signal[i] += (double) referenceVectors[d] * referenceVectors[d];
                    figures.noise[i] += e * e;
                    figures.maxAbs[i] = Math.max(figures.maxAbs[i], Math.abs(e));
                }
                if (relevant != null && relevant[i] >= 0) {
                    figures.referenceHit[i] = NearestNeighbours.contains(referenceNeighbours[i], relevant[i]);
                }
            }
        }
        if (relevant != null) {
            for (int i = 0; i < samples; i++) {
                figures.hit[i] = relevant[i] >= 0 && NearestNeighbours.contains(neighbours[i], relevant[i]);
            }
        }
        int[] all = new int[samples];
        Arrays.setAll(all, i -> i);
        Group overall = group(all, figures);
        Map<Long, SliceMetrics> sliceMetrics = new LinkedHashMap<>();
        slices().forEach((id, items) -> {
            Group g = group(items.stream().mapToInt(Integer::intValue).toArray(), figures);
            sliceMetrics.put(id, new SliceMetrics(id, items.size(), g.metrics, g.deltas));
        });
        return new EvaluationResult(EvaluationTask.EMBEDDING, model, reference, outputName, samples, samples,
                overall.metrics, overall.referenceMetrics, overall.deltas, sliceMetrics, Map.of());
    }

    private Map<Long, List<Integer>> slices() {
        Map<Long, List<Integer>> bySlice = new TreeMap<>();
        if (slices != null) {
            for (int i = 0; i < samples; i++) {
                bySlice.computeIfAbsent(NpyElements.integerAt(sliceData, slices.dtype(), i),
                        id -> new ArrayList<>()).add(i);
            }
        }
        return bySlice;
    }

    /** Per-item figures, aggregated over the whole set and over each slice. */
    private static final class ItemFigures {
        final double[] cosine;
        final double[] overlap;
        final double[] signal;
        final double[] noise;
        final double[] maxAbs;
        final boolean[] hit;
        final boolean[] referenceHit;

        ItemFigures(int n) {
            cosine = new double[n];
            overlap = new double[n];
            signal = new double[n];
            noise = new double[n];
            maxAbs = new double[n];
            hit = new boolean[n];
            referenceHit = new boolean[n];
        }
    }

    private record Group(Map<String, Double> metrics, Map<String, Double> referenceMetrics,
                         Map<String, Double> deltas) {
    }

    private Group group(int[] items, ItemFigures f) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        Map<String, Double> referenceMetrics = new LinkedHashMap<>();
        Map<String, Double> deltas = new LinkedHashMap<>();
        if (relevant != null) {
            long queries = Arrays.stream(items).filter(i -> relevant[i] >= 0).count();
            double recall = MetricAccumulator.ratio(Arrays.stream(items).filter(i -> f.hit[i]).count(), queries);
            metrics.put(MetricKeys.RECALL_10, recall);
            if (withReference) {
                double referenceRecall = MetricAccumulator.ratio(
                        Arrays.stream(items).filter(i -> f.referenceHit[i]).count(), queries);
                referenceMetrics.put(MetricKeys.RECALL_10, referenceRecall);
                deltas.put(MetricKeys.RECALL_10, recall - referenceRecall);
            }
        }
        if (withReference) {
            FloatSeries cosines = new FloatSeries();
            double overlapSum = 0;
            double signal = 0;
            double noise = 0;
            double maxAbs = 0;
            for (int i : items) {
                cosines.add(f.cosine[i]);
                overlapSum += f.overlap[i];
                signal += f.signal[i];
                noise += f.noise[i];
                maxAbs = Math.max(maxAbs, f.maxAbs[i]);
            }
            metrics.put(MetricKeys.MEAN_COSINE, cosines.mean());
            metrics.put(MetricKeys.COSINE_P1, cosines.percentiles(0.01)[0]);
            metrics.put(MetricKeys.NEIGHBOUR_OVERLAP_10, overlapSum / items.length);
            metrics.put(MetricKeys.SQNR_DB, MetricAccumulator.sqnrDb(signal, noise));
            metrics.put(MetricKeys.MAX_ABS_ERROR, maxAbs);
        }
        return new Group(metrics, referenceMetrics, deltas);
    }
}
