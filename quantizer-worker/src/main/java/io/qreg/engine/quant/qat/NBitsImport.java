package io.qreg.engine.quant.qat;

import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.quant.weightonly.BlockQuantizedWeight;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.NodeProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A 4-bit trained MatMul weight as com.microsoft MatMulNBits, on the trained grid: the weight's
 * DequantizeLinear must feed input B of one MatMul directly, with one scale for the tensor or one per output
 * column (axis 1 of the [K, N] weight), which MatMulNBits stores as that column's scale repeated over its
 * blocks. Any other 4-bit weight stays an int4 initializer behind its DequantizeLinear (opset 21).
 */
final class NBitsImport {

    static final String MS_DOMAIN = "com.microsoft";

    private NBitsImport() {
    }

    /** The MatMul the DequantizeLinear output feeds as its weight, if MatMulNBits can take its place. */
    static Optional<NodeProto> target(ModelGraph graph, NodeProto dequantize, QuantGrid grid, long[] dims) {
        if (grid.bits() != 4 || dims.length != 2 || (grid.perChannel() && grid.axis() != 1)) {
            return Optional.empty();
        }
        String out = dequantize.getOutput(0);
        List<NodeProto> readers = graph.consumers(out);
        if (readers.size() != 1 || graph.isGraphOutput(out)) {
            return Optional.empty();
        }
        NodeProto matmul = readers.get(0);
        boolean defaultDomain = matmul.getDomain().isEmpty() || matmul.getDomain().equals("ai.onnx");
        return defaultDomain && matmul.getOpType().equals("MatMul") && matmul.getInputCount() == 2
                && matmul.getInput(1).equals(out) && !matmul.getInput(0).equals(out)
                ? Optional.of(matmul) : Optional.empty();
    }

    /**
     * Replaces {@code matmul} by MatMulNBits over {@code codes} (the trained codes of the [K, N] weight on
     * {@code grid}); returns the bytes the new weight takes.
     */
    static BlockQuantizedWeight replace(ModelGraph graph, NodeProto matmul, int[] codes, QuantGrid grid,
            long[] dims, String weightName) {
        int k = Math.toIntExact(dims[0]);
        int n = Math.toIntExact(dims[1]);
        int offset = grid.signed() ? 8 : 0; // MatMulNBits codes are unsigned: shift int4 by 8, zero points too
        int[] unsigned = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            unsigned[i] = codes[i] + offset;
        }
        float[] columnScales = new float[n];
        int[] columnZeroPoints = new int[n];
        for (int col = 0; col < n; col++) {
            int c = grid.perChannel() ? col : 0;
            columnScales[col] = grid.scales()[c];
            columnZeroPoints[col] = grid.zeroPoints()[c] + offset;
        }
        BlockQuantizedWeight q = BlockQuantizedWeight.ofColumnGrid(unsigned, k, n, 4, blockSize(k, n),
                columnScales, columnZeroPoints);
        String base = matmul.getName().isEmpty() ? matmul.getOutput(0) : matmul.getName();
        String bName = graph.uniqueName(weightName + "_Q4");
        String scalesName = graph.uniqueName(base + "_scales");
        graph.addInitializer(Tensors.uint8(bName, new long[] {n, q.blocks(), q.blobSize()}, q.packed()));
        graph.addInitializer(Tensors.floats(scalesName, new long[] {(long) n * q.blocks()}, q.scales()));
        List<String> inputs = new ArrayList<>(List.of(matmul.getInput(0), bName, scalesName));
        if (q.zeroPoints() != null) {
            String zpName = graph.uniqueName(base + "_zero_points");
            graph.addInitializer(Tensors.uint8(zpName, new long[] {q.zeroPoints().length}, q.zeroPoints()));
            inputs.add(zpName);
        }
        String name = matmul.getName().isEmpty() ? graph.uniqueName(base + "_MatMulNBits") : matmul.getName();
        graph.replaceNode(matmul, Nodes.node(MS_DOMAIN, "MatMulNBits", inputs, List.of(matmul.getOutput(0)), name,
                Nodes.intAttr("K", k), Nodes.intAttr("N", n), Nodes.intAttr("bits", 4),
                Nodes.intAttr("block_size", q.blockSize())));
        return q;
    }

    /**
     * The MatMulNBits block size (a power of two, 16 to 256) that stores the weight in the fewest bytes: every
     * block of a column shares the column's scale, so larger blocks only save scales, while a block longer than
     * what is left of K pads with codes.
     */
    static int blockSize(int k, int n) {
        int best = 16;
        long bestBytes = Long.MAX_VALUE;
        for (int size = 16; size <= 256; size *= 2) {
            long blocks = (k + size - 1) / size;
            long bytes = (long) n * blocks * (size / 2 + 4 + 1);
            if (bytes < bestBytes) {
                best = size;
                bestBytes = bytes;
            }
        }
        return best;
    }
}
