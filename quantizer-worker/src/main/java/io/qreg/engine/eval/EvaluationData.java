package io.qreg.engine.eval;

import io.qreg.npy.MappedNpy;
import java.util.Arrays;
import io.qreg.npy.NpyArray;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An evaluation dataset: one array per model input (first dimension = samples), the labels, and optionally an
 * integer slice id per sample for per-slice metrics — the layout of a registry dataset of purpose
 * {@code evaluation}.
 *
 * @param inputs model input name → array
 * @param labels integer class per sample ({@code [N]}) or next token per position ({@code [N, T]}); a negative
 *               label marks a position to ignore, as PyTorch's {@code ignore_index=-100} does. For embeddings
 *               the index of each item's relevant item ({@code [N]}), or {@code null} (classification and
 *               language models need labels; {@link Evaluator} refuses them without)
 * @param slices integer slice id per sample ({@code [N]}), or {@code null} for no per-slice metrics
 */
public record EvaluationData(Map<String, NpyArray> inputs, NpyArray labels, NpyArray slices) {

    public EvaluationData {
        inputs = Map.copyOf(inputs);
        if (labels != null && labels.dtype().isFloatingPoint()) {
            throw new InvalidInputException("labels must be an integer array, not " + labels.dtype().typeName()
                    + "; save them with a.astype('int64')");
        }
        if (labels != null && labels.shape().length == 0) {
            throw new InvalidInputException("labels must have a sample dimension, got a scalar");
        }
        if (slices != null) {
            if (slices.dtype().isFloatingPoint()) {
                throw new InvalidInputException("slice ids must be an integer array, not " + slices.dtype().typeName());
            }
            if (slices.shape().length == 0 || slices.elementCount() != slices.samples()) {
                throw new InvalidInputException("slice ids must hold one id per sample, shape (N,); got shape "
                        + Arrays.toString(slices.shape()));
            }
        }
    }

    /** Memory-maps the files (see {@link MappedNpy}); {@code labels} and {@code slices} may be {@code null}. */
    public static EvaluationData open(Map<String, Path> inputs, Path labels, Path slices) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, Path> input : inputs.entrySet()) {
            arrays.put(input.getKey(), MappedNpy.open(input.getValue()));
        }
        return new EvaluationData(arrays, labels == null ? null : MappedNpy.open(labels), slices == null ? null : MappedNpy.open(slices));
    }
}
