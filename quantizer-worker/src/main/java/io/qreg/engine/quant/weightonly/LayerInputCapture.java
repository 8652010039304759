package io.qreg.engine.quant.weightonly;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.calibration.CalibrationRunner;
import io.qreg.engine.calibration.TensorObserver;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.QuantizationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link LayerInputs} of every planned layer input, captured in ONNX Runtime on the calibration set with
 * bounded memory.
 *
 * <p>Each capture pass runs the model cut down to what a group of layer inputs depends on, with each input X reduced
 * inside ONNX Runtime to its batch's XᵀX, Σ|x| and row count ({@link GramGraph}; {@link CalibrationRunner}),
 * {@link #BATCH_SIZE} samples at a time, and adds every batch into one {@link LayerInputAccumulator} per tensor in
 * double, so activations never leave ONNX Runtime and only about k²/2 floats per tensor and batch cross JNI. A group
 * holds the next tensors in graph order whose accumulators ({@link LayerInputAccumulator#bytes}, 8·k² each) fit
 * {@code budgetBytes} together (at least one, whatever its size); each accumulator becomes its {@link LayerInputs}
 * without a copy, dropped once every layer reading it has taken it. So at most one group's budget (or one layer's
 * accumulator if that is larger), plus one batch's Gram blocks and ONNX Runtime's activations, are alive at a time.
 *
 * <p>Passes run on the model as it stands when the group is needed: layers already rewritten to MatMulNBits
 * feed later groups their quantized outputs, as the paper's layer-by-layer order does.
 */
final class LayerInputCapture {

    /**
     * Statistics per pass: at most 1.25 GiB, and at most half the JVM's heap. Each pass runs the model up to its last
     * captured tensor on the whole calibration set, so fewer passes save whole forward passes; a 12-block d=768
     * transformer's statistics (1.08 GB) fit one pass in a 3 GiB heap.
     */
    static final long DEFAULT_BUDGET_BYTES = Math.min(5L << 28, Runtime.getRuntime().maxMemory() / 2);
    /** Samples per ONNX Runtime run: 8 × 128 tokens give each Gram GEMM 1024 rows; a 3072-wide input is 12 MiB. */
    static final int BATCH_SIZE = 8;

    private final OnnxModel model;
    private final CalibrationData data;
    private final long budgetBytes;
    private final ProgressListener progress;
    /** Tensor to input width, in the graph order of the first layer reading it. */
    private final LinkedHashMap<String, Integer> widths = new LinkedHashMap<>();
    private final Map<String, Integer> readersLeft = new HashMap<>();
    private final Map<String, LayerInputs> captured = new HashMap<>();
    private int passes;

    LayerInputCapture(OnnxModel model, CalibrationData data, long budgetBytes, ProgressListener progress) {
        this.model = model;
        this.data = data;
        this.budgetBytes = budgetBytes;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    /** Declares that one layer with {@code k} inputs reads {@code tensor}; call in graph order before any take. */
    void plan(String tensor, int k) {
        Integer known = widths.putIfAbsent(tensor, k);
        if (known != null && known != k) {
            throw new IllegalStateException("tensor '" + tensor + "' feeds layers of " + known + " and " + k
                    + " inputs");
        }
        readersLeft.merge(tensor, 1, Integer::sum);
    }

    /**
     * The statistics of {@code tensor} for one planned reader, capturing its group first if needed.
     *
     * @throws QuantizationException if ONNX Runtime fails on the calibration set
     */
    LayerInputs take(String tensor) throws QuantizationException {
        Integer left = readersLeft.get(tensor);
        if (left == null) {
            throw new IllegalStateException("tensor '" + tensor + "' was not planned for capture");
        }
        if (!captured.containsKey(tensor)) {
            captureGroupFrom(tensor);
        }
        LayerInputs inputs = captured.get(tensor);
        if (left == 1) {
            readersLeft.remove(tensor);
            captured.remove(tensor);
        } else {
            readersLeft.put(tensor, left - 1);
        }
        return inputs;
    }

    /** ONNX Runtime passes over the calibration set so far. */
    int passes() {
        return passes;
    }

    private void captureGroupFrom(String first) throws QuantizationException {
        Map<String, LayerInputAccumulator> group = new LinkedHashMap<>();
        Map<String, Integer> groupWidths = new LinkedHashMap<>();
        long bytes = 0;
        boolean started = false;
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            started |= e.getKey().equals(first);
            if (!started || captured.containsKey(e.getKey()) || !readersLeft.containsKey(e.getKey())) {
                continue;
            }
            long size = LayerInputAccumulator.bytes(e.getValue());
            if (!group.isEmpty() && bytes + size > budgetBytes) {
                break;
            }
            group.put(e.getKey(), new LayerInputAccumulator(e.getValue()));
            groupWidths.put(e.getKey(), e.getValue());
            bytes += size;
        }
        GramGraph gramGraph = GramGraph.of(model.toProto(), groupWidths, model.opsetVersion("").orElseThrow());
        Map<String, TensorObserver> observers = new HashMap<>();
        gramGraph.outputs().forEach((tensor, out) -> {
            LayerInputAccumulator accumulator = group.get(tensor);
            out.gram().forEach(block -> observers.put(block.name(),
                    accumulator.gram(block.row0(), block.rows(), block.col0(), block.cols())));
            observers.put(out.absSum(), accumulator.absSum());
            observers.put(out.shape(), accumulator.shape());
        });
        new CalibrationRunner(BATCH_SIZE, progress).run(OnnxModel.of(gramGraph.model()), data, observers);
        passes++;
        List<String> empty = new ArrayList<>();
        group.forEach((tensor, accumulator) -> {
            LayerInputs inputs = accumulator.result();
            if (inputs.rows() == 0) {
                empty.add(tensor);
            }
            captured.put(tensor, inputs);
        });
        if (!empty.isEmpty()) {
            throw new QuantizationException("the calibration set gave no values for the layer inputs " + empty);
        }
    }
}
