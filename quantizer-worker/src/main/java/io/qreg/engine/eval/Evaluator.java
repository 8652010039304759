package io.qreg.engine.eval;

import io.qreg.engine.ProgressListener;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qreg.npy.NpyArray;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Runs a model (and optionally a reference) over an evaluation dataset batch by batch and scores the first
 * output: rows along its last axis are class or next-token scores, one row per label.
 */
public final class Evaluator {

    private Evaluator() {
    }

    /** Loads the model (and reference), evaluates, and closes the sessions. {@code reference} may be null. */
    public static EvaluationResult evaluate(EvaluationTask task, Path model, Path reference, EvaluationData data,
                                            EvaluationOptions options, ProgressListener progress) throws OrtException {
        try (ModelSession session = ModelSession.open(model, options.intraOpThreads());
             ModelSession referenceSession = reference == null ? null
                     : ModelSession.open(reference, options.intraOpThreads())) {
            return evaluate(task, session, referenceSession, data, options.batchSize(), progress);
        }
    }

    /** Evaluates already-open sessions, which stay open; {@code reference} may be null. */
    public static EvaluationResult evaluate(EvaluationTask task, ModelSession model, ModelSession reference,
                                            EvaluationData data, int batchSize, ProgressListener progress)
            throws OrtException {
        String modelLabel = label(model);
        InputFeeds feeds = InputFeeds.bind(model.inputs(), data.inputs(), modelLabel);
        InputFeeds referenceFeeds = reference == null ? null
                : InputFeeds.bind(reference.inputs(), data.inputs(), "reference " + label(reference));
        int samples = feeds.samples();
        checkSamples("labels", data.labels(), samples);
        if (data.slices() != null) {
            checkSamples("slice ids", data.slices(), samples);
        }
        int batch = feeds.effectiveBatchSize(referenceFeeds == null ? batchSize
                : referenceFeeds.effectiveBatchSize(batchSize));

        String outputName = model.outputs().get(0).name();
        String referenceOutput = reference == null ? null : reference.outputs().get(0).name();
        Scorer scorer = new Scorer(task, reference != null, data, samples);
        try {
            for (int start = 0; start < samples; start += batch) {
                int count = Math.min(batch, samples - start);
                float[] out;
                long[] shape;
                try (InputBatch inputs = feeds.batch(model.environment(), start, count);
                     OrtSession.Result result = model.run(inputs.tensors(), Set.of(outputName))) {
                    out = OutputValues.floats(result.get(0), outputName);
                    shape = ((TensorInfo) result.get(0).getInfo()).getShape();
                }
                float[] ref = null;
                if (reference != null) {
                    try (InputBatch inputs = referenceFeeds.batch(reference.environment(), start, count);
                         OrtSession.Result result = reference.run(inputs.tensors(), Set.of(referenceOutput))) {
                        ref = OutputValues.floats(result.get(0), referenceOutput);
                        long[] refShape = ((TensorInfo) result.get(0).getInfo()).getShape();
                        if (!Arrays.equals(shape, refShape)) {
                            throw new InvalidInputException("output '" + outputName + "' of " + modelLabel + " has shape "
                                    + Arrays.toString(shape) + " but the reference's '" + referenceOutput + "' has "
                                    + Arrays.toString(refShape) + "; they cannot be compared");
                        }
                    }
                }
                scorer.score(start, count, out, ref, shape, outputName);
                progress.progress("evaluate", start + count, samples);
            }
        } finally {
            progress.finish();
        }
        return scorer.result(task, model.path().toString(), reference == null ? null : reference.path().toString(),
                outputName);
    }

    private static void checkSamples(String what, NpyArray array, int samples) {
        if (array.samples() != samples) {
            throw new InvalidInputException(what + " have " + array.samples() + " samples (shape "
                    + Arrays.toString(array.shape()) + ") but the inputs have " + samples);
        }
    }

    private static String label(ModelSession session) {
        Path name = session.path().getFileName();
        return name == null ? session.path().toString() : name.toString();
    }

    /** Turns each batch's outputs into per-position figures and feeds the overall and per-slice sums. */
    private static final class Scorer {

        private final EvaluationTask task;
        private final boolean withReference;
        private final NpyArray labels;
        private final ByteBuffer labelData;
        private final NpyArray slices;
        private final ByteBuffer sliceData;
        private final long labelsPerSample;
        private final MetricAccumulator overall;
        private final Map<Long, MetricAccumulator> bySlice = new TreeMap<>();

        Scorer(EvaluationTask task, boolean withReference, EvaluationData data, int samples) {
            this.task = task;
            this.withReference = withReference;
            this.labels = data.labels();
            this.labelData = labels.data();
            this.slices = data.slices();
            this.sliceData = slices == null ? null : slices.data();
            this.labelsPerSample = samples == 0 ? 0 : labels.elementCount() / samples;
            this.overall = new MetricAccumulator(task, withReference);
        }

        void score(int start, int count, float[] out, float[] ref, long[] shape, String outputName) {
            if (shape.length < 2) {
                throw new InvalidInputException("output '" + outputName + "' has shape " + Arrays.toString(shape)
                        + "; scoring needs scores along a last axis, e.g. [N, classes] or [N, T, vocab]");
            }
            int classes = (int) shape[shape.length - 1];
            int positionsPerSample = out.length / count / classes;
            if (positionsPerSample != labelsPerSample) {
                throw new InvalidInputException("output '" + outputName + "' has " + positionsPerSample
                        + " score rows per sample (shape " + Arrays.toString(shape) + ") but the labels (shape "
                        + Arrays.toString(labels.shape()) + ") have " + labelsPerSample + " per sample");
            }
            if (task == EvaluationTask.CLASSIFICATION && positionsPerSample != 1) {
                throw new InvalidInputException("classification needs one score row per sample; output '"
                        + outputName + "' has shape " + Arrays.toString(shape) + " — use --task language-model for"
                        + " per-token outputs");
            }
            for (int s = 0; s < count; s++) {
                long sample = start + s;
                MetricAccumulator slice = null;
                if (slices != null) {
                    long id = NpyElements.integerAt(sliceData, slices.dtype(), sample);
                    slice = bySlice.computeIfAbsent(id, k -> new MetricAccumulator(task, withReference));
                    slice.addSample();
                }
                overall.addSample();
                for (int p = 0; p < positionsPerSample; p++) {
                    long label = NpyElements.integerAt(labelData, labels.dtype(), sample * positionsPerSample + p);
                    if (label >= classes) {
                        throw new InvalidInputException("label " + label + " of sample " + sample + " is outside the "
                                + classes + " classes of output '" + outputName + "'");
                    }
                    int offset = (s * positionsPerSample + p) * classes;
                    scorePosition(out, ref, offset, classes, label, slice);
                }
            }
        }

        private void scorePosition(float[] out, float[] ref, int offset, int classes, long label,
                                   MetricAccumulator slice) {
            int predicted = Logits.argmax(out, offset, classes);
            boolean needsEntropy = task == EvaluationTask.LANGUAGE_MODEL && label >= 0;
            double crossEntropy = needsEntropy ? Logits.crossEntropy(out, offset, classes, (int) label) : 0;
            int referencePredicted = -1;
            double referenceCrossEntropy = 0;
            double signal = 0;
            double noise = 0;
            double maxAbs = 0;
            if (ref != null) {
                referencePredicted = Logits.argmax(ref, offset, classes);
                if (needsEntropy) {
                    referenceCrossEntropy = Logits.crossEntropy(ref, offset, classes, (int) label);
                }
                for (int c = offset; c < offset + classes; c++) {
                    double r = ref[c];
                    double e = r - out[c];
                    signal += r * r;
                    noise += e * e;
                    maxAbs = Math.max(maxAbs, Math.abs(e));
                }
            }
            overall.addPosition(label, predicted, crossEntropy, referencePredicted, referenceCrossEntropy, signal,
                    noise, maxAbs);
            if (slice != null) {
                slice.addPosition(label, predicted, crossEntropy, referencePredicted, referenceCrossEntropy, signal,
                        noise, maxAbs);
            }
        }

        EvaluationResult result(EvaluationTask task, String model, String reference, String outputName) {
            Map<Long, SliceMetrics> sliceMetrics = new LinkedHashMap<>();
            bySlice.forEach((id, acc) -> sliceMetrics.put(id,
                    new SliceMetrics(id, acc.samples(), acc.metrics(), acc.deltas())));
            return new EvaluationResult(task, model, reference, outputName, overall.samples(), overall.positions(),
                    overall.metrics(), overall.referenceMetrics(), overall.deltas(), sliceMetrics);
        }
    }
}
