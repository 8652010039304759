package io.qreg.engine.sensitivity;

import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.QuantizationException;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The first samples of the calibration set, checked against the model's inputs: what every measurement runs on. */
final class SampleSet {

    private final Map<String, NpyArray> arrays;
    private final int count;

    private SampleSet(Map<String, NpyArray> arrays, int count) {
        this.arrays = arrays;
        this.count = count;
    }

    static SampleSet load(ModelGraph graph, Map<String, Path> files, int maxSamples) throws QuantizationException {
        CalibrationData data = CalibrationData.load(graph, files);
        int count = Math.min(maxSamples, data.samples());
        Map<String, NpyArray> head = new LinkedHashMap<>();
        data.arrays().forEach((input, array) -> head.put(input, firstRows(array, count)));
        return new SampleSet(head, count);
    }

    private static NpyArray firstRows(NpyArray array, int rows) {
        long[] shape = array.shape();
        long rowBytes = array.data().remaining() / shape[0];
        shape[0] = rows;
        return NpyArray.of(array.dtype(), shape, array.data().slice(0, Math.toIntExact(rowBytes * rows)));
    }

    int count() {
        return count;
    }

    Map<String, NpyArray> arrays() {
        return arrays;
    }

    /**
     * Writes the samples as .npy files under {@code dir}, input name to file: int8-static's pass reads its
     * calibration set from files, and feeding it these keeps each measurement's calibration as bounded as
     * its evaluation.
     */
    Map<String, Path> writeTo(Path dir) throws IOException {
        Map<String, Path> files = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            Path file = dir.resolve("input" + i++ + ".npy");
            try (OutputStream out = Files.newOutputStream(file)) {
                NpyWriter.write(out, e.getValue());
            }
            files.put(e.getKey(), file);
        }
        return files;
    }
}
