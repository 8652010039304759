package io.qreg.engine.quant.qdq;

import io.qreg.engine.calibration.CalibrationData;
import io.qreg.engine.calibration.CalibrationRunner;
import io.qreg.engine.calibration.Calibrators;
import io.qreg.engine.calibration.TensorStatistics;
import io.qreg.engine.model.ModelGraph;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.Coverage;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.QuantizationContext;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.quant.QuantizationPass;
import io.qreg.engine.quant.qdq.smooth.SmoothQuant;
import io.qreg.engine.quant.qdq.smooth.StaticRounding;
import io.qreg.onnx.ir.NodeProto;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * int8-static in QDQ format, what ONNX Runtime's {@code quantize_static(quant_format=QDQ)} writes:
 * calibrate activation ranges on the calibration set, then put QuantizeLinear/DequantizeLinear pairs
 * on activations and int8 weights (int32 biases) around the ops of {@link #table}. ONNX Runtime's QDQ
 * transformers fuse the patterns into int8 kernels at load time; other runtimes can execute them as
 * written. Unlike ONNX Runtime's tool it keeps mask-dominated activations in float ({@link MaskGuard}).
 */
public final class StaticQdqPass implements QuantizationPass {

    /** DequantizeLinear's axis attribute (per-channel) needs opset 13; Q/DQ themselves need 10. */
    private static final long MIN_OPSET = 10;
    private static final long PER_CHANNEL_OPSET = 13;

    private final int batchSize;

    public StaticQdqPass() {
        this(CalibrationRunner.DEFAULT_BATCH_SIZE);
    }

    /** @param batchSize calibration samples run at once; bounds the memory activations take */
    public StaticQdqPass(int batchSize) {
        this.batchSize = batchSize;
    }

    /** Resize and Pad have int8 kernels in ONNX Runtime (and its tool quantizes them) from opset 11. */
    private static final long INT8_RESIZE_PAD_OPSET = 11;
    /** MaxPool takes int8 from opset 12; ONNX Runtime's tool and its DQ/Q removal start there too. */
    private static final long INT8_MAXPOOL_OPSET = 12;

    /** The op quantizer table: op type to what this pass does with it. */
    static Map<String, QdqOpQuantizer> table(QdqState state) {
        ComputeOpQuantizer compute = new ComputeOpQuantizer(state);
        PassThroughQuantizer passThrough = new PassThroughQuantizer(state);
        PassThroughQuantizer fromOpset11 = new PassThroughQuantizer(state, INT8_RESIZE_PAD_OPSET);
        FoldedActivationQuantizer folded = new FoldedActivationQuantizer(state);
        ArithmeticQuantizer arithmetic = new ArithmeticQuantizer(state);
        Map<String, QdqOpQuantizer> table = new LinkedHashMap<>();
        table.put("Conv", compute);
        table.put("ConvTranspose", compute);
        table.put("Gemm", compute);
        table.put("MatMul", compute);
        table.put("Relu", folded);
        table.put("Clip", folded);
        table.put("Softmax", new SoftmaxQuantizer(state));
        table.put("Gather", new EmbeddingTableQuantizer());
        for (String op : List.of("Add", "Mul", "Concat", "AveragePool", "GlobalAveragePool", "Where",
                "LayerNormalization")) {
            table.put(op, arithmetic);
        }
        for (String op : List.of("Reshape", "Transpose", "Flatten", "Squeeze", "Unsqueeze", "Slice", "Split")) {
            table.put(op, passThrough);
        }
        table.put("MaxPool", new PassThroughQuantizer(state, INT8_MAXPOOL_OPSET));
        table.put("Resize", fromOpset11);
        table.put("Pad", fromOpset11);
        return table;
    }

    @Override
    public Map<String, Coverage> coverage() {
        Map<String, Coverage> coverage = new TreeMap<>();
        table(new QdqState(null, null, false, 0)).forEach((op, quantizer) -> coverage.put(op, quantizer.coverage()));
        return coverage;
    }

    @Override
    public void apply(QuantizationContext context) throws QuantizationException {
        OnnxModel model = context.model();
        QuantizationOptions options = context.options();
        ModelGraph graph = model.graph();
        long opset = model.opsetVersion("").orElse(1);
        if (opset < MIN_OPSET) {
            throw new QuantizationException("int8-static needs opset " + MIN_OPSET + " or later for QuantizeLinear/"
                    + "DequantizeLinear; the model imports opset " + opset + ". Convert the model first");
        }
        boolean perChannel = options.perChannel();
        if (perChannel && opset < PER_CHANNEL_OPSET) {
            perChannel = false;
            context.note("per-channel weights need opset " + PER_CHANNEL_OPSET + " (model has " + opset
                    + "); weights were quantized per tensor");
        }
        // Checked before anything expensive: a wrong file should fail fast with the input's name.
        CalibrationData data = CalibrationData.load(graph, options.calibrationInputs());
        Set<String> smoothingMuls = Set.of();
        if (options.smoothQuantAlpha() != null) {
            SmoothQuant.Outcome smoothing = SmoothQuant.apply(model, data, options, options.smoothQuantAlpha(),
                    new StaticRounding(perChannel, tensor -> quantizedAtProducer(graph, options,
                            table(new QdqState(null, null, false, 0)), tensor)),
                    batchSize, context.progress());
            smoothing.notes().forEach(context::note);
            smoothingMuls = smoothing.insertedMuls();
        }

        graph.topologicalSort();
        QdqState state = new QdqState(graph, options, perChannel, opset);
        Map<String, QdqOpQuantizer> table = table(state);
        Set<String> tensors = new LinkedHashSet<>();
        for (NodeProto node : graph.nodes()) {
            QdqOpQuantizer quantizer = table.get(node.getOpType());
            if (quantizer != null && node.getDomain().isEmpty() && options.allows(node.getName(), node.getOpType())
                    && !smoothingMuls.contains(node.getName())) {
                tensors.addAll(quantizer.tensorsToCalibrate(graph, node));
            }
        }
        CalibrationMethod method = options.calibrationMethod() == null ? CalibrationMethod.MINMAX
                : options.calibrationMethod();
        Map<String, TensorStatistics> statistics = new CalibrationRunner(batchSize, context.progress())
                .calibrate(model, data, tensors, () -> new TensorStatistics(Calibrators.create(method,
                        options.percentile())));
        Map<String, String> guarded = options.guardMaskedActivations() ? MaskGuard.find(graph, statistics) : Map.of();
        guarded.forEach((tensor, reason) -> context.note("guard kept activation '" + tensor + "' in float: " + reason));
        state.calibrated(statistics, guarded);

        for (NodeProto original : graph.nodes()) {
            QdqOpQuantizer quantizer = table.get(original.getOpType());
            if (quantizer == null || !original.getDomain().isEmpty() || smoothingMuls.contains(original.getName())) {
                continue;
            }
            NodeProto node = state.rewriter().currentInstance(original);
            if (!quantizer.considers(graph, node)) {
                continue;
            }
            if (!options.allows(node.getName(), node.getOpType())) {
                context.report(LayerReport.kept(node.getName(), node.getOpType(), LayerReport.Status.EXCLUDED,
                        "excluded by the options"));
                continue;
            }
            context.report(quantizer.quantize(graph, node, context));
        }
    }

    /**
     * Whether this pass will round {@code tensor} where it is produced: its producer is an op whose output the pass
     * quantizes (MatMul, Gemm, Conv, the arithmetic ops, Softmax), or one that shares its input's scale (a reshape,
     * a folded Relu) behind such an op. SmoothQuant's auto needs it before the pass runs: an activation rounded
     * there and only then divided by s in an inserted Mul keeps the rounding error of its outliers.
     */
    private static boolean quantizedAtProducer(ModelGraph graph, QuantizationOptions options,
            Map<String, QdqOpQuantizer> table, String tensor) {
        NodeProto producer = graph.producer(tensor).orElse(null);
        for (int hops = 0; producer != null && hops < graph.nodes().size(); hops++) {
            QdqOpQuantizer quantizer = table.get(producer.getOpType());
            if (quantizer == null || !producer.getDomain().isEmpty()
                    || !options.allows(producer.getName(), producer.getOpType())
                    || quantizer instanceof EmbeddingTableQuantizer) {
                return false;
            }
            if (!(quantizer instanceof PassThroughQuantizer || quantizer instanceof FoldedActivationQuantizer)) {
                return true;
            }
            producer = graph.producer(producer.getInput(0)).orElse(null);
        }
        return false;
    }
}
