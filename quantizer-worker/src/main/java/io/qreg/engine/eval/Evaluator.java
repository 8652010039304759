package io.qreg.engine.eval;

import io.qreg.engine.ProgressListener;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.qreg.npy.NpyArray;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Runs a model (and optionally a reference) over an evaluation dataset batch by batch and scores the first
 * output: rows along its last axis are class or next-token scores, one row per label ({@link PositionScorer}),
 * or item vectors for an embedding model ({@link EmbeddingScorer}).
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
        if (data.labels() != null) {
            checkSamples("labels", data.labels(), samples);
        } else if (task != EvaluationTask.EMBEDDING) {
            throw new InvalidInputException(task.cliName() + " evaluation needs labels");
        }
        if (data.slices() != null) {
            checkSamples("slice ids", data.slices(), samples);
        }
        int batch = feeds.effectiveBatchSize(referenceFeeds == null ? batchSize
                : referenceFeeds.effectiveBatchSize(batchSize));

        String outputName = model.outputs().get(0).name();
        String referenceOutput = reference == null ? null : reference.outputs().get(0).name();
        BatchScorer scorer = task == EvaluationTask.EMBEDDING
                ? new EmbeddingScorer(reference != null, data, samples)
                : new PositionScorer(task, reference != null, data, samples);
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
        return scorer.result(model.path().toString(), reference == null ? null : reference.path().toString(),
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
}
