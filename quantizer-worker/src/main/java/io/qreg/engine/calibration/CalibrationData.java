package io.qreg.engine.calibration;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.QuantizationException;
import io.qreg.npy.MappedNpy;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyDType;
import io.qreg.onnx.ir.TensorProto.DataType;
import io.qreg.onnx.ir.TensorShapeProto;
import io.qreg.onnx.ir.TypeProto;
import io.qreg.onnx.ir.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The calibration samples for every model input, checked against the model's declared inputs before
 * anything runs: each input has a file, no file names an unknown input, element types match, ranks
 * match, fixed dimensions match, and all files hold the same number of samples (axis 0).
 */
public final class CalibrationData {

    private final Map<String, NpyArray> arrays;
    private final int samples;

    private CalibrationData(Map<String, NpyArray> arrays, int samples) {
        this.arrays = arrays;
        this.samples = samples;
    }

    /**
     * Reads and checks the files.
     *
     * @throws QuantizationException naming the input, with both shapes and dtypes, on any mismatch
     */
    public static CalibrationData load(ModelGraph graph, Map<String, Path> files) throws QuantizationException {
        List<String> inputs = graph.inputNames();
        TreeSet<String> unknown = new TreeSet<>(files.keySet());
        inputs.forEach(unknown::remove);
        if (!unknown.isEmpty()) {
            throw new QuantizationException("calibration data given for " + unknown + ", which "
                    + (unknown.size() == 1 ? "is not a model input" : "are not model inputs") + "; the model's inputs are "
                    + inputs);
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        int samples = -1;
        String first = null;
        for (String input : inputs) {
            Path file = files.get(input);
            if (file == null) {
                throw new QuantizationException("model input '" + input + "' has no calibration file; int8-static needs"
                        + " samples for every input (--calibration " + input + "=FILE.npy), got files for "
                        + new TreeSet<>(files.keySet()));
            }
            NpyArray array;
            try {
                array = MappedNpy.open(file); // mapped: batches page in, the heap stays small
            } catch (IOException e) {
                throw new QuantizationException("cannot read calibration file " + file + " for input '" + input + "': "
                        + e.getMessage(), e);
            }
            check(input, graph.valueInfo(input).orElseThrow(), array, file);
            if (samples >= 0 && array.samples() != samples) {
                throw new QuantizationException("calibration files disagree on the number of samples: '" + first
                        + "' has " + samples + ", '" + input + "' has " + array.samples());
            }
            samples = array.samples();
            first = first == null ? input : first;
            arrays.put(input, array);
        }
        if (samples <= 0) {
            throw new QuantizationException("the calibration set is empty (0 samples)");
        }
        return new CalibrationData(arrays, samples);
    }

    private static void check(String input, ValueInfoProto info, NpyArray array, Path file)
            throws QuantizationException {
        TypeProto.Tensor type = info.getType().getTensorType();
        String expectedType = typeName(type.getElemType());
        long[] shape = array.shape();
        String expected = expectedType + " " + shapeString(type.getShape());
        String actual = array.dtype().typeName() + " " + Arrays.toString(shape);
        String where = "calibration file " + file.getFileName() + " for model input '" + input + "'";
        if (!array.dtype().typeName().equals(expectedType)) {
            throw new QuantizationException(where + " is " + actual + " but the model expects " + expected
                    + ": the element types differ");
        }
        if (!type.hasShape()) {
            return; // an input of unknown rank accepts any shape
        }
        int rank = type.getShape().getDimCount();
        if (shape.length != rank) {
            throw new QuantizationException(where + " is " + actual + " but the model expects " + expected
                    + ": rank " + shape.length + " vs " + rank + " (axis 0 of the file is the sample axis)");
        }
        if (rank == 0) {
            throw new QuantizationException(where + ": the model input is a scalar, so it has no sample axis to"
                    + " calibrate over");
        }
        // Axis 0 is the sample axis and is batched by the runner; the others must match fixed sizes.
        for (int axis = 1; axis < rank; axis++) {
            TensorShapeProto.Dimension d = type.getShape().getDim(axis);
            if (d.hasDimValue() && d.getDimValue() > 0 && d.getDimValue() != shape[axis]) {
                throw new QuantizationException(where + " is " + actual + " but the model expects " + expected
                        + ": axis " + axis + " is " + shape[axis] + ", expected " + d.getDimValue());
            }
        }
    }

    static String typeName(int elemType) {
        DataType t = DataType.forNumber(elemType);
        if (t == null) {
            return "type#" + elemType;
        }
        return switch (t) {
            case FLOAT -> NpyDType.FLOAT32.typeName();
            case FLOAT16 -> NpyDType.FLOAT16.typeName();
            case DOUBLE -> NpyDType.FLOAT64.typeName();
            case INT64 -> NpyDType.INT64.typeName();
            case INT32 -> NpyDType.INT32.typeName();
            case INT8 -> NpyDType.INT8.typeName();
            case UINT8 -> NpyDType.UINT8.typeName();
            case BOOL -> NpyDType.BOOL.typeName();
            default -> t.name().toLowerCase(Locale.ROOT);
        };
    }

    private static String shapeString(TensorShapeProto shape) {
        List<String> dims = new ArrayList<>();
        for (TensorShapeProto.Dimension d : shape.getDimList()) {
            dims.add(d.hasDimValue() ? Long.toString(d.getDimValue()) : d.hasDimParam() ? d.getDimParam() : "?");
        }
        return dims.toString();
    }

    public int samples() {
        return samples;
    }

    /** Input name to its samples, in the model's input order. */
    public Map<String, NpyArray> arrays() {
        return arrays;
    }
}
