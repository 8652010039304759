package io.qreg.engine.quant;

import io.qreg.engine.QuantizationException;
import io.qreg.engine.eval.TensorSpec;
import io.qreg.engine.model.ModelGraph;
import io.qreg.npy.NpyArray;
import io.qreg.npy.NpyDType;
import io.qreg.onnx.ir.NodeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Inputs made from a model's signature, for verifying a quantization that was given no calibration data. Values
 * must be valid for the model, or the check would blame the quantization for the inputs: integer inputs that
 * index a constant table (token ids feeding a Gather) are drawn below the table's row count, other integers
 * (attention masks, flags) are 1, floats are uniform in [0, 1). The first dimension holds the samples; other
 * symbolic dimensions (sequence length, image size) take {@link #SYMBOLIC_DIM}.
 */
public final class GeneratedInputs {

    static final int SYMBOLIC_DIM = 8;
    /** Ops an index passes through unchanged in value on its way to a Gather. */
    private static final Set<String> VALUE_PRESERVING = Set.of("Cast", "Reshape", "Unsqueeze", "Squeeze", "Flatten",
            "Identity", "Expand");

    private GeneratedInputs() {
    }

    /** For each graph input feeding the indices of a Gather over a constant table: that table's smallest row count. */
    public static Map<String, Long> indexBounds(ModelGraph graph) {
        Map<String, Long> bounds = new HashMap<>();
        for (String input : graph.inputNames()) {
            Deque<String> pending = new ArrayDeque<>(List.of(input));
            Set<String> seen = new HashSet<>();
            while (!pending.isEmpty()) {
                String tensor = pending.pop();
                if (!seen.add(tensor) || seen.size() > 64) {
                    continue;
                }
                for (NodeProto consumer : graph.consumers(tensor)) {
                    if (consumer.getOpType().equals("Gather") && consumer.getInputCount() > 1
                            && consumer.getInput(1).equals(tensor)) {
                        graph.initializer(consumer.getInput(0)).filter(t -> t.getDimsCount() > 0)
                                .map(t -> t.getDims(0)).ifPresent(rows -> bounds.merge(input, rows, Math::min));
                    } else if (VALUE_PRESERVING.contains(consumer.getOpType()) && consumer.getInput(0).equals(tensor)) {
                        pending.addAll(consumer.getOutputList());
                    }
                }
            }
        }
        return bounds;
    }

    /**
     * One array per input with {@code samples} rows (a fixed first dimension is repeated to fill them).
     *
     * @throws QuantizationException for an input of no shape or of a type no value can be made for
     */
    static Map<String, NpyArray> create(List<TensorSpec> inputs, Map<String, Long> indexBounds, int samples,
            long seed) throws QuantizationException {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        for (TensorSpec spec : inputs) {
            long[] shape = spec.shape();
            if (shape.length == 0) {
                throw new QuantizationException("cannot verify the quantized model: input '" + spec.name()
                        + "' is a scalar, from which no samples can be made; give calibration data for it");
            }
            long elements = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = i == 0 ? samples * Math.max(1, shape[0]) : shape[i] < 0 ? SYMBOLIC_DIM : shape[i];
                elements = Math.multiplyExact(elements, shape[i]);
            }
            NpyDType dtype = NpyDType.forTypeName(spec.elementTypeName()).orElseThrow(() -> new QuantizationException(
                    "cannot verify the quantized model: no values can be made for input '" + spec.name() + "' of type "
                            + spec.elementTypeName() + "; give calibration data for it"));
            long bound = indexBounds.getOrDefault(spec.name(), 0L);
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(elements * dtype.itemSize()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            for (long i = 0; i < elements; i++) {
                long index = bound > 0 ? random.nextLong(bound) : 1;
                switch (dtype) {
                    case FLOAT32 -> data.putFloat((float) random.nextDouble());
                    case FLOAT64 -> data.putDouble(random.nextDouble());
                    case FLOAT16 -> data.putShort((short) (0x3800 + random.nextInt(0x400))); // [0.5, 1)
                    case INT64 -> data.putLong(index);
                    case INT32 -> data.putInt((int) index);
                    case INT8, UINT8, BOOL -> data.put((byte) (bound > 0 ? Math.min(index, 127) : 1));
                }
            }
            data.flip();
            arrays.put(spec.name(), NpyArray.of(dtype, shape, data));
        }
        return arrays;
    }
}
