package io.qreg.engine.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;

/**
 * How closely a model's outputs follow a reference's on the same inputs, batch by batch, as running sums: the SQNR
 * over every floating-point element compared, the share of rows whose argmax over the last axis of the first
 * output agrees, and how many elements the model made non-finite where the reference was finite. The arithmetic
 * is the evaluator's ({@link MetricAccumulator#sqnrDb}, {@link Logits#argmax}, {@link OutputValues#floats}), so a
 * quantizer's check and an evaluation report the same figure for the same outputs.
 */
public final class OutputAgreement {

    private double signal;
    private double noise;
    private long rows;
    private long agreements;
    private long elements;
    private long broken;
    private String firstBrokenOutput;

    /**
     * Adds one output of one batch.
     *
     * @param ranked whether this is the output whose rows the top-1 agreement counts (the model's first)
     * @throws InvalidInputException if the two outputs differ in size or are not floating-point tensors
     */
    public void add(String name, OnnxValue reference, OnnxValue output, boolean ranked) {
        float[] ref = OutputValues.floats(reference, name);
        float[] out = OutputValues.floats(output, name);
        if (ref.length != out.length) {
            throw new InvalidInputException("output '" + name + "' has " + out.length + " elements where the reference"
                    + " has " + ref.length);
        }
        for (int i = 0; i < ref.length; i++) {
            if (!Float.isFinite(ref[i])) {
                continue; // nothing to be faithful to
            }
            if (!Float.isFinite(out[i])) {
                broken++;
                firstBrokenOutput = firstBrokenOutput == null ? name : firstBrokenOutput;
                continue;
            }
            double d = (double) ref[i] - out[i];
            signal += (double) ref[i] * ref[i];
            noise += d * d;
            elements++;
        }
        long[] shape = ((OnnxTensor) reference).getInfo().getShape();
        int classes = shape.length == 0 ? 1 : (int) shape[shape.length - 1];
        if (ranked && classes > 1) {
            for (int offset = 0; offset + classes <= ref.length; offset += classes) {
                rows++;
                if (Logits.argmax(ref, offset, classes) == Logits.argmax(out, offset, classes)) {
                    agreements++;
                }
            }
        }
    }

    /** Finite elements compared. */
    public long elements() {
        return elements;
    }

    /** Elements the model made NaN or infinite where the reference was finite. */
    public long nonFinite() {
        return broken;
    }

    /** The first output in which {@link #nonFinite()} elements appeared, or null. */
    public String firstNonFiniteOutput() {
        return firstBrokenOutput;
    }

    /** SQNR in dB over every finite element; +Infinity for identical outputs, NaN when nothing was compared. */
    public double sqnrDb() {
        return elements == 0 ? Double.NaN : MetricAccumulator.sqnrDb(signal, noise);
    }

    /** Share of rows of the first output with the same argmax; NaN when it has no rows of two or more scores. */
    public double top1Agreement() {
        return rows == 0 ? Double.NaN : (double) agreements / rows;
    }

    /** Rows the top-1 agreement counted. */
    public long rows() {
        return rows;
    }
}
