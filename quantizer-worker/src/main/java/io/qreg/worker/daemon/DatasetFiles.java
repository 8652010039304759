package io.qreg.worker.daemon;

import io.qreg.engine.eval.InvalidInputException;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyWriter;
import io.qreg.npy.TensorArchive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A downloaded dataset turned into what the engine takes: one {@code .npy} file per model input, plus
 * {@code labels} and {@code slices}. An {@code .npz}/{@code .zip} names its arrays by input; a lone {@code .npy}
 * upload's array name is its original file name, which the registry does not send, so it is taken as the one
 * array of the model's single input.
 */
record DatasetFiles(Map<String, Path> inputs, Path labels, Path slices) {

    static final String LABELS = "labels";
    static final String SLICES = "slices";
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    static DatasetFiles extract(Path dataset, List<String> modelInputs, Path dir) throws IOException {
        Map<String, NpyArray> arrays = TensorArchive.load(dataset, dataset.getFileName().toString());
        if (isSingleNpy(dataset)) {
            if (modelInputs.size() != 1) {
                throw new InvalidInputException("the dataset is a single .npy array but the model has "
                        + modelInputs.size() + " inputs " + modelInputs
                        + "; upload an .npz or .zip with one array per input name");
            }
            NpyArray only = arrays.values().iterator().next();
            arrays = Map.of(modelInputs.get(0), only);
        }
        Files.createDirectories(dir);
        Map<String, Path> inputs = new LinkedHashMap<>();
        Path labels = null;
        Path slices = null;
        int index = 0;
        for (Map.Entry<String, NpyArray> entry : arrays.entrySet()) {
            // Array names come from the upload: only a plain name becomes a file name (engine messages quote it).
            String name = entry.getKey();
            Path file = dir.resolve(name.matches("[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}") ? name + ".npy"
                    : "array-" + index + ".npy");
            index++;
            try (OutputStream out = Files.newOutputStream(file)) {
                NpyWriter.write(out, entry.getValue());
            }
            switch (entry.getKey()) {
                case LABELS -> labels = file;
                case SLICES -> slices = file;
                default -> inputs.put(entry.getKey(), file);
            }
        }
        return new DatasetFiles(inputs, labels, slices);
    }

    private static boolean isSingleNpy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return java.util.Arrays.equals(in.readNBytes(NPY_MAGIC.length), NPY_MAGIC);
        }
    }
}
