package io.qreg.engine.benchmark;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.model.Nodes;
import io.qreg.engine.model.OnnxModel;
import io.qreg.engine.tensor.Tensors;
import io.qreg.onnx.ir.AttributeProto;
import io.qreg.onnx.ir.GraphProto;
import io.qreg.onnx.ir.ModelProto;
import io.qreg.onnx.ir.OperatorSetIdProto;
import io.qreg.onnx.ir.TensorProto;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a byte-level causal transformer LM as ONNX, node for node in the shape {@code torch.onnx.export}
 * (PyTorch 2.11, opset 17) gives {@code bytelm_small.onnx}, but with any number of blocks, width, heads, MLP
 * width and vocabulary. Random weights (seeded), float32, dynamic {@code batch} and {@code seq}.
 *
 * <p>Per block, as exported: runtime shape arithmetic ({@code Shape}/{@code Gather}/{@code Div}/{@code Cast}), pre-
 * {@code LayerNormalization}, one fused QKV {@code MatMul} [d, 3d] + bias {@code Add} + {@code Split}, per-head
 * {@code Reshape}/{@code Transpose}, score {@code MatMul}, the scale {@code 1/sqrt(head_dim)} computed in the graph
 * ({@code Cast}/{@code Pow}/{@code Reciprocal}/{@code Mul}), the additive causal mask (a [maxSeq, maxSeq] buffer of 0
 * and -1e9, sliced to [T, T]), {@code Softmax}, {@code MatMul} with V, head merge, out projection + bias, residual,
 * second LayerNorm, MLP up + bias, exact GELU in its Erf form ({@code Div} by sqrt 2, {@code Erf}, {@code Add} 1,
 * {@code Mul}, {@code Mul} 0.5), down + bias, residual. Then the final LayerNorm and the LM head (MatMul + bias).
 * Weight matrices are named {@code onnx::MatMul_N} like the exporter's transposed copies.
 */
public final class TransformerGenerator {

    /**
     * @param maxSeq rows of the positional embedding and of the causal-mask buffer (the model accepts T ≤ maxSeq)
     * @param std standard deviation of the Gaussian weights (LayerNorm scales are 1, its biases 0)
     */
    public record Config(int blocks, int d, int heads, int mlp, int vocab, int maxSeq, long seed, float std) {

        public Config {
            if (blocks < 1 || d < 1 || heads < 1 || mlp < 1 || vocab < 1 || maxSeq < 1) {
                throw new IllegalArgumentException("all sizes must be positive");
            }
            if (d % heads != 0) {
                throw new IllegalArgumentException("d=" + d + " is not a multiple of heads=" + heads);
            }
        }

        /** 12 blocks, d=768, 12 heads, MLP 3072, vocabulary 256, T ≤ 128: about 85M parameters. */
        public static Config base85m() {
            return new Config(12, 768, 12, 3072, 256, 128, 20240601L, 0.02f);
        }

        /** The dimensions of the {@code bytelm_small} fixture (2 blocks, d=128, 4 heads, MLP 512). */
        public static Config byteLmSmall() {
            return new Config(2, 128, 4, 512, 256, 128, 7L, 0.02f);
        }

        /**
         * Trainable parameters, as PyTorch counts them: embeddings, per block two LayerNorms and four linear layers
         * with bias, the final LayerNorm and the LM head. The causal-mask buffer is not a parameter.
         */
        public long parameterCount() {
            long perBlock = 2L * d                         // ln1
                    + (long) d * 3 * d + 3L * d            // qkv
                    + (long) d * d + d                     // proj
                    + 2L * d                               // ln2
                    + (long) d * mlp + mlp                 // up
                    + (long) mlp * d + d;                  // down
            return (long) vocab * d + (long) maxSeq * d + blocks * perBlock + 2L * d + (long) d * vocab + vocab;
        }

        @Override
        public String toString() {
            return blocks + " blocks, d=" + d + ", " + heads + " heads, MLP " + mlp + ", vocab " + vocab + ", T ≤ "
                    + maxSeq;
        }
    }

    private final Config config;
    private final GraphProto.Builder graph = GraphProto.newBuilder().setName("main_graph");
    private int constants;
    private int matmulWeights = 268; // where bytelm_small's exporter numbering starts; only cosmetic
    private long tensorSeed;

    private TransformerGenerator(Config config) {
        this.config = config;
        this.tensorSeed = config.seed();
    }

    /** Builds the model in memory (weights on the heap: 4 bytes per parameter). */
    public static ModelProto build(Config config) {
        return new TransformerGenerator(config).model();
    }

    /** Builds the model and writes it with the engine's own {@link OnnxModel#save}. */
    public static void write(Config config, Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        OnnxModel.of(build(config)).save(out);
    }

    private ModelProto model() {
        int d = config.d();
        graph.addInput(Nodes.valueInfo("input_ids", TensorProto.DataType.INT64, "batch", "seq"));
        graph.addOutput(Nodes.valueInfo("logits", TensorProto.DataType.FLOAT, "batch", "seq", config.vocab()));
        // Initializers in the exporter's order: buffers and named parameters first, transposed weights last.
        graph.addInitializer(causalMask());
        graph.addInitializer(gaussian("tok.weight", config.vocab(), d));
        graph.addInitializer(gaussian("pos.weight", config.maxSeq(), d));

        // Embeddings and the mask sliced to the sequence length.
        String shape = node("Shape", "/Shape", List.of("input_ids"));
        String seq = node("Gather", "/Gather", List.of(shape, scalar("/Constant", 1)), Nodes.intAttr("axis", 0));
        String tok = node("Gather", "/tok/Gather", List.of("tok.weight", "input_ids"));
        String zero1 = vector("/Constant_1", 0);
        String zero2 = vector("/Constant_2", 0);
        String seqEnd = node("Unsqueeze", "/Unsqueeze", List.of(seq, vector("/Constant_3", 0)));
        String pos = node("Slice", "/Slice", List.of("pos.weight", zero2, seqEnd, zero1, vector("/Constant_4", 1)));
        String x = node("Add", "/Add", List.of(tok, pos));
        String axes0 = vector("/Constant_5", 0);
        String start0 = vector("/Constant_6", 0);
        String rowEnd = node("Unsqueeze", "/Unsqueeze_1", List.of(seq, vector("/Constant_7", 0)));
        String rows = node("Slice", "/Slice_1",
                List.of("causal", start0, rowEnd, axes0, vector("/Constant_8", 1)));
        String axes1 = vector("/Constant_9", 1);
        String start1 = vector("/Constant_10", 0);
        String colEnd = node("Unsqueeze", "/Unsqueeze_2", List.of(seq, vector("/Constant_11", 0)));
        String mask = node("Slice", "/Slice_2", List.of(rows, start1, colEnd, axes1, vector("/Constant_12", 1)));

        for (int b = 0; b < config.blocks(); b++) {
            x = block(b, x, mask);
        }
        graph.addInitializer(ones("lnf.weight", d));
        graph.addInitializer(zeros("lnf.bias", d));
        String lnf = node("LayerNormalization", "/lnf/LayerNormalization", List.of(x, "lnf.weight", "lnf.bias"),
                Nodes.intAttr("axis", -1), Nodes.floatAttr("epsilon", 1e-5f));
        String headW = weight(d, config.vocab());
        graph.addInitializer(gaussian("head.bias", config.vocab()));
        String head = node("MatMul", "/head/MatMul", List.of(lnf, headW));
        graph.addNode(Nodes.node("Add", List.of("head.bias", head), List.of("logits"), "/head/Add"));

        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("qreg TransformerGenerator")
                .setProducerVersion("1")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph)
                .build();
    }

    private String block(int b, String x, String mask) {
        int d = config.d();
        String p = "/blocks." + b + "/";
        String n = "blocks." + b + ".";
        // Runtime shape arithmetic, as torch exports x.shape and d // heads.
        String batch = node("Gather", p + "Gather", List.of(node("Shape", p + "Shape", List.of(x)),
                scalar(p + "Constant", 0)), Nodes.intAttr("axis", 0));
        String seq = node("Gather", p + "Gather_1", List.of(node("Shape", p + "Shape_1", List.of(x)),
                scalar(p + "Constant_1", 1)), Nodes.intAttr("axis", 0));
        String width = node("Gather", p + "Gather_2", List.of(node("Shape", p + "Shape_2", List.of(x)),
                scalar(p + "Constant_2", 2)), Nodes.intAttr("axis", 0));
        String div = node("Div", p + "Div", List.of(width, scalar(p + "Constant_3", config.heads())));
        String headDim = node("Cast", p + "Cast_1", List.of(node("Cast", p + "Cast", List.of(div),
                Nodes.intAttr("to", TensorProto.DataType.INT64_VALUE))), Nodes.intAttr("to",
                TensorProto.DataType.INT64_VALUE));

        graph.addInitializer(ones(n + "ln1.weight", d));
        graph.addInitializer(zeros(n + "ln1.bias", d));
        String ln1 = node("LayerNormalization", p + "ln1/LayerNormalization", List.of(x, n + "ln1.weight",
                n + "ln1.bias"), Nodes.intAttr("axis", -1), Nodes.floatAttr("epsilon", 1e-5f));
        String qkvW = weight(d, 3 * d);
        graph.addInitializer(gaussian(n + "qkv.bias", 3 * d));
        String qkv = node("Add", p + "qkv/Add", List.of(n + "qkv.bias",
                node("MatMul", p + "qkv/MatMul", List.of(ln1, qkvW))));
        String splitSizes = constant(p + "Constant_4", Tensors.int64("", new long[] {3}, new long[] {d, d, d}));
        String q = p + "Split_output_0";
        String k = p + "Split_output_1";
        String v = p + "Split_output_2";
        graph.addNode(Nodes.node("Split", List.of(qkv, splitSizes), List.of(q, k, v), p + "Split",
                Nodes.intAttr("axis", 2)));
        String[] headShapes = new String[3];
        for (int i = 0; i < 3; i++) {
            String b0 = unsqueeze(p + "Unsqueeze" + suffix(3 * i), batch);
            String t0 = unsqueeze(p + "Unsqueeze_" + (3 * i + 1), seq);
            String h = vector(p + "Constant_" + (5 + i), config.heads());
            String hd = unsqueeze(p + "Unsqueeze_" + (3 * i + 2), headDim);
            headShapes[i] = node("Concat", p + "Concat" + suffix(i), List.of(b0, t0, h, hd), Nodes.intAttr("axis", 0));
        }
        String qh = node("Transpose", p + "Transpose", List.of(node("Reshape", p + "Reshape",
                List.of(q, headShapes[0]), Nodes.intAttr("allowzero", 0))), Nodes.intsAttr("perm", 0, 2, 1, 3));
        String kr = node("Reshape", p + "Reshape_1", List.of(k, headShapes[1]), Nodes.intAttr("allowzero", 0));
        String vr = node("Reshape", p + "Reshape_2", List.of(v, headShapes[2]), Nodes.intAttr("allowzero", 0));
        String vh = node("Transpose", p + "Transpose_1", List.of(vr), Nodes.intsAttr("perm", 0, 2, 1, 3));
        String kt = node("Transpose", p + "Transpose_2", List.of(kr), Nodes.intsAttr("perm", 0, 2, 3, 1));
        String scores = node("MatMul", p + "MatMul", List.of(qh, kt));
        String hdFloat = node("Cast", p + "Cast_2", List.of(headDim), Nodes.intAttr("to",
                TensorProto.DataType.FLOAT_VALUE));
        String sqrt = node("Pow", p + "Pow", List.of(hdFloat, floatScalar(p + "Constant_8", 0.5f)));
        String scale = node("Mul", p + "Mul", List.of(node("Reciprocal", p + "Reciprocal", List.of(sqrt)),
                floatScalar(p + "Constant_9", 1.0f)));
        String scaled = node("Mul", p + "Mul_1", List.of(scores, scale));
        String masked = node("Add", p + "Add", List.of(scaled, mask));
        String probs = node("Softmax", p + "Softmax", List.of(masked), Nodes.intAttr("axis", -1));
        String ctx = node("MatMul", p + "MatMul_1", List.of(probs, vh));
        String merged = node("Transpose", p + "Transpose_3", List.of(ctx), Nodes.intsAttr("perm", 0, 2, 1, 3));
        String mergeShape = node("Concat", p + "Concat_3", List.of(unsqueeze(p + "Unsqueeze_9", batch),
                unsqueeze(p + "Unsqueeze_10", seq), unsqueeze(p + "Unsqueeze_11", width)), Nodes.intAttr("axis", 0));
        String attn = node("Reshape", p + "Reshape_3", List.of(merged, mergeShape), Nodes.intAttr("allowzero", 0));
        String projW = weight(d, d);
        graph.addInitializer(gaussian(n + "proj.bias", d));
        String proj = node("Add", p + "proj/Add", List.of(n + "proj.bias",
                node("MatMul", p + "proj/MatMul", List.of(attn, projW))));
        String x1 = node("Add", p + "Add_1", List.of(x, proj));

        graph.addInitializer(ones(n + "ln2.weight", d));
        graph.addInitializer(zeros(n + "ln2.bias", d));
        String ln2 = node("LayerNormalization", p + "ln2/LayerNormalization", List.of(x1, n + "ln2.weight",
                n + "ln2.bias"), Nodes.intAttr("axis", -1), Nodes.floatAttr("epsilon", 1e-5f));
        String upW = weight(d, config.mlp());
        graph.addInitializer(gaussian(n + "up.bias", config.mlp()));
        String up = node("Add", p + "up/Add", List.of(n + "up.bias", node("MatMul", p + "up/MatMul",
                List.of(ln2, upW))));
        // GELU, exact: 0.5 * x * (1 + erf(x / sqrt 2)), as torch exports nn.GELU() at opset 17.
        String erf = node("Erf", p + "Erf", List.of(node("Div", p + "Div_1", List.of(up,
                floatScalar(p + "Constant_10", (float) Math.sqrt(2))))));
        String onePlus = node("Add", p + "Add_2", List.of(erf, floatScalar(p + "Constant_11", 1.0f)));
        String gelu = node("Mul", p + "Mul_3", List.of(node("Mul", p + "Mul_2", List.of(up, onePlus)),
                floatScalar(p + "Constant_12", 0.5f)));
        String downW = weight(config.mlp(), d);
        graph.addInitializer(gaussian(n + "down.bias", d));
        String down = node("Add", p + "down/Add", List.of(n + "down.bias", node("MatMul", p + "down/MatMul",
                List.of(gelu, downW))));
        return node("Add", p + "Add_3", List.of(x1, down));
    }

    private static String suffix(int i) {
        return i == 0 ? "" : "_" + i;
    }

    /** Adds a node with one output named like the exporter's, {@code <node name>_output_0}, and returns it. */
    private String node(String op, String name, List<String> inputs, AttributeProto... attributes) {
        String out = name + "_output_0";
        graph.addNode(Nodes.node(op, inputs, List.of(out), name, attributes));
        return out;
    }

    private String unsqueeze(String name, String scalar) {
        return node("Unsqueeze", name, List.of(scalar, constant("Constant_u" + constants, Tensors.int64("",
                new long[] {1}, new long[] {0}))));
    }

    private String scalar(String name, long value) {
        return constant(name, Tensors.int64("", new long[0], new long[] {value}));
    }

    private String vector(String name, long value) {
        return constant(name, Tensors.int64("", new long[] {1}, new long[] {value}));
    }

    private String floatScalar(String name, float value) {
        return constant(name, Tensors.floats("", new long[0], new float[] {value}));
    }

    private String constant(String name, TensorProto value) {
        constants++;
        return node("Constant", name, List.of(), Nodes.tensorAttr("value", value));
    }

    /** A [rows, cols] weight of a linear layer (x @ W), named like the exporter's transposed copies. */
    private String weight(int rows, int cols) {
        String name = "onnx::MatMul_" + matmulWeights++;
        graph.addInitializer(gaussian(name, rows, cols));
        return name;
    }

    private TensorProto causalMask() {
        int t = config.maxSeq();
        float[] values = new float[t * t];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                values[i * t + j] = -1e9f;
            }
        }
        return Tensors.floats("causal", new long[] {t, t}, values);
    }

    private TensorProto gaussian(String name, int... dims) {
        long count = 1;
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            count *= dims[i];
            shape[i] = dims[i];
        }
        float[] values = new float[Math.toIntExact(count)];
        SplittableRandom random = new SplittableRandom(tensorSeed++);
        double std = config.std();
        for (int i = 0; i < values.length; i += 2) {
            // Box-Muller: two independent normals per pair of uniforms.
            double u1 = 1.0 - random.nextDouble();
            double u2 = random.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1)) * std;
            values[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < values.length) {
                values[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
            }
        }
        return Tensors.floats(name, shape, values);
    }

    private static TensorProto ones(String name, int n) {
        float[] values = new float[n];
        java.util.Arrays.fill(values, 1f);
        return Tensors.floats(name, new long[] {n}, values);
    }

    private static TensorProto zeros(String name, int n) {
        return Tensors.floats(name, new long[] {n}, new float[n]);
    }

    /**
     * Runs the model once in ONNX Runtime (1 thread) on token ids {@code i mod vocab} and returns the logits' shape;
     * throws if the model does not load or run, or if any logit is not finite.
     */
    public static long[] forwardOnce(Path model, int batch, int seq, int vocab) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model.toString(), options)) {
                long[] ids = new long[batch * seq];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = (i * 31L + 7) % vocab;
                }
                try (OnnxTensor input = OnnxTensor.createTensor(env, LongBuffer.wrap(ids), new long[] {batch, seq});
                        OrtSession.Result result = session.run(Map.of("input_ids", input))) {
                    OnnxTensor logits = (OnnxTensor) result.get(0);
                    java.nio.FloatBuffer values = logits.getFloatBuffer();
                    while (values.hasRemaining()) {
                        float f = values.get();
                        if (!Float.isFinite(f)) {
                            throw new IllegalStateException(model + " produced a non-finite logit: " + f);
                        }
                    }
                    return logits.getInfo().getShape();
                }
            }
        }
    }

    /** {@code TransformerGenerator OUT.onnx [blocks d heads mlp vocab]}: writes a model and prints its size. */
    public static void main(String[] args) throws Exception {
        Config base = Config.base85m();
        Config config = args.length >= 6
                ? new Config(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        Integer.parseInt(args[4]), Integer.parseInt(args[5]), base.maxSeq(), base.seed(), base.std())
                : base;
        Path out = Path.of(args[0]);
        long start = System.nanoTime();
        write(config, out);
        System.out.printf("%s: %s, %,d parameters, %,d bytes, written in %.1f s%n", out, config,
                config.parameterCount(), Files.size(out), (System.nanoTime() - start) / 1e9);
    }
}
