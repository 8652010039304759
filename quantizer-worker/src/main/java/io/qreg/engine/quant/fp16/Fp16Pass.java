package io.qreg.engine.quant.fp16;

import io.qreg.engine.quant.OpQuantizer;
import io.qreg.engine.quant.OpTablePass;
import io.qreg.engine.quant.QuantizationContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * fp16: weights stored and compute done in float16, with the graph's inputs and outputs still float32.
 *
 * <p>Ops in {@link #HALF_OPS} move to float16: matrix products, convolutions, pooling, the plain
 * elementwise arithmetic and data movement, all of which ONNX Runtime's CPU provider has float16
 * kernels for. Ops in {@link #FRAGILE_OPS} stay float32 because float16's 10-bit mantissa and ±65504
 * range break them: sums of exponentials (Softmax), mean/variance reductions over a hidden dimension
 * (LayerNormalization, ReduceMean), and exp/pow/sqrt/reciprocal/div/erf, whose inputs or outputs
 * easily overflow or lose the precision later layers divide by. Other ops are left as they are.
 */
public final class Fp16Pass extends OpTablePass {

    static final Set<String> HALF_OPS = Set.of("MatMul", "Gemm", "Conv", "Add", "Sub", "Mul", "Relu", "LeakyRelu",
            "Sigmoid", "Tanh", "MaxPool", "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose",
            "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Identity", "Expand", "Neg", "Abs", "Max",
            "Min", "Clip", "Where");

    static final Map<String, String> FRAGILE_OPS = Map.ofEntries(
            Map.entry("Softmax", "a sum of exponentials overflows float16"),
            Map.entry("LogSoftmax", "a sum of exponentials overflows float16"),
            Map.entry("LayerNormalization", "mean and variance over the hidden dimension lose float16 precision"),
            Map.entry("BatchNormalization", "variance and epsilon lose float16 precision"),
            Map.entry("InstanceNormalization", "mean and variance lose float16 precision"),
            Map.entry("GroupNormalization", "mean and variance lose float16 precision"),
            Map.entry("ReduceMean", "a reduction over a large axis loses float16 precision"),
            Map.entry("ReduceSum", "a reduction over a large axis overflows or loses float16 precision"),
            Map.entry("ReduceSumSquare", "squares overflow float16"),
            Map.entry("ReduceL2", "squares overflow float16"),
            Map.entry("ReduceLogSumExp", "exponentials overflow float16"),
            Map.entry("Exp", "exponentials overflow float16 beyond 11"),
            Map.entry("Log", "log near zero underflows in float16"),
            Map.entry("Pow", "powers overflow float16"),
            Map.entry("Sqrt", "used in normalization; kept float32 for precision"),
            Map.entry("Reciprocal", "used in normalization; small inputs overflow float16"),
            Map.entry("Div", "used in normalization; small divisors overflow float16"),
            Map.entry("Erf", "part of GELU; kept float32 for precision"),
            Map.entry("Gelu", "GELU kept float32 for precision"));

    private HalfPlan plan;
    private final Map<String, OpQuantizer> table = new HashMap<>();

    public Fp16Pass() {
        super("fp16");
        OpQuantizer half = new HalfNodeConverter(() -> plan);
        HALF_OPS.forEach(op -> table.put(op, half));
        FRAGILE_OPS.forEach((op, why) -> table.put(op, new KeepFloat(() -> plan, why + "; kept in float32 with Casts")));
    }

    @Override
    protected Map<String, OpQuantizer> table() {
        return table;
    }

    @Override
    protected void prepare(QuantizationContext context) {
        plan = HalfPlan.plan(context.model().graph(), context.options());
    }

    @Override
    protected void finish(QuantizationContext context) {
        plan.dropReplacedConstants(context.model().graph());
        context.note("fp16: graph inputs and outputs stay float32 with Casts at the boundary; numerically"
                + " fragile ops and anything reading constants beyond ±65504 stay float32");
    }
}
