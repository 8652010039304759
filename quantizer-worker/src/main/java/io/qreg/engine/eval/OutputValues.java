package io.qreg.engine.eval;

import io.qreg.numeric.Float16;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.TensorInfo;

import java.nio.DoubleBuffer;
import java.nio.ShortBuffer;

/** Copies a model output into a float array, whatever floating-point type the model produced it in. */
final class OutputValues {

    private OutputValues() {
    }

    static float[] floats(OnnxValue value, String outputName) {
        if (!(value instanceof OnnxTensor tensor)) {
            throw new InvalidInputException("output '" + outputName + "' is not a tensor: " + value.getInfo());
        }
        TensorInfo info = tensor.getInfo();
        float[] out = new float[Math.toIntExact(info.getNumElements())];
        switch (info.type) {
            case FLOAT -> tensor.getFloatBuffer().get(out);
            case FLOAT16 -> {
                ShortBuffer halves = tensor.getShortBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = Float16.toFloat(halves.get(i));
                }
            }
            case DOUBLE -> {
                DoubleBuffer doubles = tensor.getDoubleBuffer();
                for (int i = 0; i < out.length; i++) {
                    out[i] = (float) doubles.get(i);
                }
            }
            default -> throw new InvalidInputException("output '" + outputName + "' is "
                    + ElementTypes.name(info.type) + "; evaluation needs floating-point scores (logits)");
        }
        return out;
    }
}
