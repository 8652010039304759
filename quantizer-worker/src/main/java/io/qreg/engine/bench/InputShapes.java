package io.qreg.engine.bench;

import ai.onnxruntime.OnnxJavaType;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.TensorSpec;
import io.qreg.onnx.OnnxHeaderReader;
import io.qreg.onnx.TensorSignature;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The shape of every input a benchmark feeds with random data. A shape given for an input is used as is (checked
 * against the dimensions the model fixes). Otherwise a symbolic first dimension is the batch, and other symbolic
 * dimensions of integer inputs (token ids, attention masks) are the sequence length. What cannot be known is
 * refused with the input, the dimension and how to set it: a symbolic non-batch dimension of a floating-point
 * input (channels, image size, features: guessing them only makes ONNX Runtime fail deep inside a kernel), and an
 * input the model declares without any shape.
 */
final class InputShapes {

    private InputShapes() {
    }

    /**
     * @param given input name to its full shape, from {@code --shape}; every name must be an input
     * @throws InvalidInputException naming the input and dimension when a shape cannot be known or does not fit
     */
    static Map<String, long[]> resolve(Path model, List<TensorSpec> inputs, Map<String, long[]> given, int batch,
            int seqLen) {
        Set<String> names = inputs.stream().map(TensorSpec::name).collect(Collectors.toSet());
        for (String name : given.keySet()) {
            if (!names.contains(name)) {
                throw new InvalidInputException(model.getFileName() + " has no input named '" + name + "'; its inputs"
                        + " are " + inputs);
            }
        }
        Set<String> shapeless = null;
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (TensorSpec spec : inputs) {
            long[] shape = spec.shape();
            long[] wanted = given.get(spec.name());
            boolean declaresNoShape = false;
            if (shape.length == 0) {
                // ONNX Runtime reports an input without a declared shape as rank 0: only the file tells the two apart.
                shapeless = shapeless == null ? shapelessInputs(model) : shapeless;
                declaresNoShape = shapeless.contains(spec.name());
            }
            if (wanted != null) {
                shapes.put(spec.name(), declaresNoShape ? wanted.clone() : fit(spec, wanted));
                continue;
            }
            if (declaresNoShape) {
                throw new InvalidInputException("input '" + spec.name() + "' has no shape in " + model.getFileName()
                        + "; set it with --shape " + spec.name() + "=1x3x224x224 (its real dimensions) or --input "
                        + spec.name() + "=FILE.npy");
            }
            for (int d = 0; d < shape.length; d++) {
                if (shape[d] >= 0) {
                    continue;
                }
                if (d == 0) {
                    shape[d] = batch;
                } else if (isInteger(spec.type())) {
                    shape[d] = seqLen;
                } else {
                    throw new InvalidInputException("input '" + spec.name() + "' dimension " + d + dimName(spec, d)
                            + " is symbolic; set it with --shape " + spec.name() + "=" + example(spec, batch)
                            + " or --input " + spec.name() + "=FILE.npy");
                }
            }
            shapes.put(spec.name(), shape);
        }
        return shapes;
    }

    private static long[] fit(TensorSpec spec, long[] wanted) {
        long[] shape = spec.shape();
        if (wanted.length != shape.length) {
            throw new InvalidInputException("--shape " + spec.name() + " has " + wanted.length + " dimensions; the"
                    + " input is " + spec.describe() + " (rank " + shape.length + ")");
        }
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] >= 0 && shape[d] != wanted[d]) {
                throw new InvalidInputException("--shape " + spec.name() + " sets dimension " + d + " to " + wanted[d]
                        + "; the model fixes it at " + shape[d] + " (" + spec.describe() + ")");
            }
        }
        return wanted.clone();
    }

    private static boolean isInteger(OnnxJavaType type) {
        return type == OnnxJavaType.INT64 || type == OnnxJavaType.INT32 || type == OnnxJavaType.INT16
                || type == OnnxJavaType.INT8 || type == OnnxJavaType.UINT8 || type == OnnxJavaType.BOOL;
    }

    private static String dimName(TensorSpec spec, int d) {
        String name = spec.dimNames()[d];
        return name == null || name.isEmpty() ? "" : " ('" + name + "')";
    }

    /** E.g. {@code 1xCxHxW} for {@code float32[N, C, H, W]}: fixed sizes and the batch as numbers, names to fill. */
    private static String example(TensorSpec spec, int batch) {
        long[] shape = spec.shape();
        String[] parts = new String[shape.length];
        for (int d = 0; d < shape.length; d++) {
            String name = spec.dimNames()[d];
            parts[d] = shape[d] >= 0 ? Long.toString(shape[d]) : d == 0 ? Integer.toString(batch)
                    : name == null || name.isEmpty() ? "D" + d : name;
        }
        return String.join("x", Arrays.asList(parts));
    }

    private static Set<String> shapelessInputs(Path model) {
        try (InputStream in = Files.newInputStream(model)) {
            return OnnxHeaderReader.read(in).inputs().stream().filter(s -> !s.hasKnownRank())
                    .map(TensorSignature::name).collect(Collectors.toSet());
        } catch (IOException e) {
            // The runtime loaded the file a moment ago; if it cannot be read again, treat the input as a scalar.
            return Set.of();
        }
    }
}
