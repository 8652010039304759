package io.qreg.worker.cli;

import io.qreg.engine.ProgressListener;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.LayerReport;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.ModelVerifier;
import io.qreg.engine.quant.OptionValues;
import io.qreg.engine.quant.PrecisionMix;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.quant.WeightPrecision;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.engine.sensitivity.SensitivityRequest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code quantize}: one ONNX model in, its quantized variant out, with a per-layer report. */
public final class QuantizeCommand implements ParsedCommand {

    private static final Args.Spec SPEC = Args.spec()
            .option("--method").flag("--per-channel").flag("--symmetric").flag("--asymmetric").option("--block-size")
            .repeatable("--calibration").option("--calibration-method").option("--percentile")
            .option("--exclude-nodes").option("--exclude-op-types").flag("--no-mask-guard").option("--report")
            .option("--accuracy-budget").option("--smooth-quant").option("--target-bits-per-weight")
            .option("--algorithm").option("--gptq-damp").flag("--act-order")
            .option("-o").flag("--json").flag("--progress").flag("--help");

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "quantize an ONNX model (" + String.join(", ", Method.wireNames()) + ")";
    }

    @Override
    public String usage() {
        return """
                usage: quantize --method %s
                                [--per-channel] [--symmetric | --asymmetric] [--block-size 32]
                                [--calibration INPUT_NAME=FILE.npy ...] [--calibration-method minmax|percentile|entropy]
                                [--percentile 99.999] [--exclude-nodes a,b] [--exclude-op-types Gather]
                                [--algorithm rtn|gptq|awq|hqq] [--gptq-damp 0.01] [--act-order]
                                [--accuracy-budget 0.01] [--no-mask-guard] [--smooth-quant 0.5|auto]
                                [--target-bits-per-weight 5.5] [--report report.json] [--json]
                                [--progress] IN.onnx -o OUT.onnx

                  --method              int8-dynamic: int8 weights, activations quantized at run time (MatMul, Gemm, Gather)
                                        int8-static: QDQ with activation ranges calibrated on --calibration data
                                        int4-weight, int8-weight: block-wise weight-only MatMulNBits (MatMul and Gemm)
                                        fp16: float16 weights and compute, float32 inputs/outputs and fragile ops
                                        qat: import a quantization-aware-trained export (float weights -> Q -> DQ)
                                        with its trained scales: int8 weights stored as integers, 4-bit MatMul weights
                                        as MatMulNBits, activation Q/DQ kept; takes none of the options below. Every
                                        other method refuses a model that already holds Q/DQ.
                  --per-channel         one weight scale per output channel (int8-dynamic, int8-static)
                  --symmetric           weights without zero points (default for the int8 methods; not fp16)
                  --asymmetric          weights with zero points (default for int4-weight; int8-dynamic, int8-weight)
                  --block-size          elements per block for int4-weight/int8-weight: 16 to 256, a power of two (default %d)
                  --algorithm           int4-weight/int8-weight: how block codes are chosen (default rtn); gptq and awq
                                        need --calibration
                  --gptq-damp           --algorithm gptq: dampening as a fraction of the mean Hessian diagonal (default 0.01)
                  --act-order           --algorithm gptq: round input channels by decreasing activation energy
                  --calibration         a model input and the .npy samples feeding it (first dim = samples); repeat per input
                  --calibration-method  how int8-static derives activation ranges (default minmax)
                  --percentile          the percentile of --calibration-method percentile (default %s)
                  --exclude-nodes       comma-separated node names to keep in float
                  --exclude-op-types    comma-separated op types to keep in float, e.g. Gather
                  --accuracy-budget     keep the most sensitive layers in float until the model output's relative error
                                        on the calibration set (sqrt(sum (ref-out)^2 / sum ref^2)) is within this
                                        fraction; needs --calibration
                  --target-bits-per-weight  int4-weight: choose int4 (--block-size or coarser, up to 128), int8 or
                                        float per MatMul/Gemm layer for the least estimated output error with the
                                        bits per weight (scales and zero points included) at most this, using
                                        --algorithm; needs --calibration
                  --no-mask-guard       int8-static: also quantize activations dominated by huge constants (attention masks)
                  --smooth-quant        int8-static: SmoothQuant with migration strength ALPHA from 0 to 1 (0.5 suits most
                                        models), or auto to pick it (or none) per layer group by its error on the calibration set
                  --report              write the per-layer report as JSON to this file; with --calibration it
                                        includes each layer's sensitivity (output SQNR in dB when only that layer
                                        is quantized, on up to %d calibration samples)
                  --json                print one JSON object (the report) on stdout instead of the summary
                  --progress            draw a progress bar on stderr even when it is not a terminal

                An option that does not apply to the method (e.g. --per-channel with int4-weight) is refused, exit 2.
                The output is written atomically (nothing is left behind on failure) and, before the command succeeds,
                run in ONNX Runtime beside the original on up to %d calibration samples (or inputs made from the model's
                signature without --calibration): a model that fails to run or gives NaN/infinity where the original is
                finite is deleted and refused; the summary gives the output SQNR and top-1 agreement. The summary and the report give the precision mix the output really stores (layers
                and parameters per precision, bits per weight with scales and zero points); a run that would leave every
                layer in float is refused and writes nothing. Exit status: 0 success, 2 bad usage or a model/option the
                engine cannot handle (including nothing quantized), 1 internal failure.
                """.formatted(String.join("|", Method.wireNames()), QuantizationOptions.DEFAULT_BLOCK_SIZE,
                QuantizationOptions.DEFAULT_PERCENTILE, SensitivityRequest.DEFAULT_MAX_SAMPLES, ModelVerifier.SAMPLES);
    }

    @Override
    public Args.Spec options() {
        return SPEC;
    }

    @Override
    public int run(Args args, CliContext context) throws Exception {
        if (args.positionals().size() != 1) {
            throw new UsageException("give exactly one IN.onnx, got " + args.positionals());
        }
        Path in = Args.existingFile("IN.onnx", args.positionals().get(0));
        Path out = Path.of(args.value("-o").orElseThrow(() -> new UsageException("missing -o OUT.onnx")));
        QuantizationOptions options = options(args);

        ProgressListener progress = ProgressBar.create(context, args.flag("--progress"), "quantize");
        QuantizationReport report;
        try {
            report = Quantizer.quantize(in, out, options, progress, sensitivity(args, options));
        } finally {
            progress.finish();
        }
        if (args.value("--report").isPresent()) {
            writeAtomically(Path.of(args.value("--report").get()), CliJson.write(report.toMap()));
        }
        if (args.flag("--json")) {
            context.out().println(CliJson.write(report.toMap()));
        } else {
            printSummary(in, out, report, context.out());
        }
        return ExitCode.OK;
    }

    /**
     * Sensitivity costs one quantize-and-run per layer; measure it when someone will read it (a report or a
     * budget) or when calibration data was given for a method that needs none otherwise.
     */
    private static SensitivityRequest sensitivity(Args args, QuantizationOptions options) {
        boolean wanted = args.value("--report").isPresent() || options.accuracyBudget() != null
                || options.method() != Method.INT8_STATIC;
        return !options.calibrationInputs().isEmpty() && wanted
                ? SensitivityRequest.measure(SensitivityRequest.DEFAULT_MAX_SAMPLES) : SensitivityRequest.NONE;
    }

    static QuantizationOptions options(Args args) {
        Method method;
        try {
            method = Method.parse(args.required("--method"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (args.flag("--symmetric") && args.flag("--asymmetric")) {
            throw new UsageException("--symmetric and --asymmetric contradict each other");
        }
        refuseInapplicable(args, method);
        QuantizationOptions defaults = QuantizationOptions.defaults(method);
        boolean symmetric = args.flag("--symmetric") || (!args.flag("--asymmetric") && defaults.symmetric());
        CalibrationMethod calibration = defaults.calibrationMethod();
        if (args.value("--calibration-method").isPresent()) {
            try {
                calibration = CalibrationMethod.parse(args.value("--calibration-method").get());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
        if (args.value("--percentile").isPresent() && calibration != CalibrationMethod.PERCENTILE) {
            throw new UsageException("--percentile applies only with --calibration-method percentile");
        }
        double percentile = args.value("--percentile").map(v -> number(MethodOptions.Option.PERCENTILE, v))
                .orElse(QuantizationOptions.DEFAULT_PERCENTILE);
        var calibrationInputs = args.namedFiles("--calibration");
        Double budget = args.value("--accuracy-budget").map(v -> number(MethodOptions.Option.ACCURACY_BUDGET, v)).orElse(null);
        if (budget != null && calibrationInputs.isEmpty()) {
            throw new UsageException("--accuracy-budget measures the output error on calibration data: add"
                    + " --calibration INPUT_NAME=FILE.npy");
        }
        Double targetBits = args.value("--target-bits-per-weight")
                .map(v -> number(MethodOptions.Option.TARGET_BITS_PER_WEIGHT, v)).orElse(null);
        if (targetBits != null && calibrationInputs.isEmpty()) {
            throw new UsageException("--target-bits-per-weight chooses each layer's precision from its sensitivity"
                    + " measured on calibration data: add --calibration INPUT_NAME=FILE.npy");
        }
        if (method == Method.INT8_STATIC && calibrationInputs.isEmpty()) {
            throw new UsageException("int8-static needs --calibration INPUT_NAME=FILE.npy for every model input");
        }
        Double smoothQuant = args.value("--smooth-quant").map(v -> number(MethodOptions.Option.SMOOTH_QUANT, v)).orElse(null);
        Algorithm algorithm = algorithm(args);
        MethodOptions.algorithmRefusal(method, algorithm, args.value("--gptq-damp").isPresent(),
                args.flag("--act-order"), !calibrationInputs.isEmpty(), MethodOptions.Surface.CLI)
                .ifPresent(message -> {
                    throw new UsageException(message);
                });
        if (targetBits != null) {
            MethodOptions.targetRefusal(algorithm, symmetric, MethodOptions.Surface.CLI).ifPresent(message -> {
                throw new UsageException(message);
            });
        }
        try {
            return new QuantizationOptions(method, args.flag("--per-channel"), symmetric,
                    args.intValue("--block-size", QuantizationOptions.DEFAULT_BLOCK_SIZE, 1), calibration, percentile,
                    names(args, "--exclude-nodes"), names(args, "--exclude-op-types"), calibrationInputs, budget, null,
                    !args.flag("--no-mask-guard"), smoothQuant, targetBits, algorithm,
                    args.value("--gptq-damp").map(v -> number(MethodOptions.Option.GPTQ_DAMP, v)).orElse(QuantizationOptions.DEFAULT_GPTQ_DAMP),
                    args.flag("--act-order"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** Every option given that the method would ignore is refused, naming the flag ({@link MethodOptions}). */
    private static void refuseInapplicable(Args args, Method method) {
        Map<MethodOptions.Option, Boolean> given = new EnumMap<>(MethodOptions.Option.class);
        given.put(MethodOptions.Option.PER_CHANNEL, args.flag("--per-channel"));
        given.put(MethodOptions.Option.SYMMETRIC, args.flag("--symmetric"));
        given.put(MethodOptions.Option.ASYMMETRIC, args.flag("--asymmetric"));
        given.put(MethodOptions.Option.NO_MASK_GUARD, args.flag("--no-mask-guard"));
        given.put(MethodOptions.Option.CALIBRATION, !args.namedFiles("--calibration").isEmpty());
        given.put(MethodOptions.Option.ACT_ORDER, args.flag("--act-order"));
        for (MethodOptions.Option option : List.of(MethodOptions.Option.BLOCK_SIZE,
                MethodOptions.Option.CALIBRATION_METHOD, MethodOptions.Option.PERCENTILE,
                MethodOptions.Option.ACCURACY_BUDGET, MethodOptions.Option.EXCLUDE_NODES,
                MethodOptions.Option.EXCLUDE_OP_TYPES, MethodOptions.Option.SMOOTH_QUANT,
                MethodOptions.Option.TARGET_BITS_PER_WEIGHT, MethodOptions.Option.ALGORITHM,
                MethodOptions.Option.GPTQ_DAMP)) {
            given.put(option, args.value(option.flag()).isPresent());
        }
        given.forEach((option, present) -> {
            if (present) {
                MethodOptions.refusal(method, option, MethodOptions.Surface.CLI).ifPresent(message -> {
                    throw new UsageException(message);
                });
            }
        });
    }

    private static Algorithm algorithm(Args args) {
        try {
            return args.value("--algorithm").map(Algorithm::parse).orElse(Algorithm.RTN);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--algorithm: " + e.getMessage());
        }
    }

    /** A numeric flag's value, checked against the one definition of what it accepts ({@link OptionValues}). */
    private static double number(MethodOptions.Option option, String value) {
        try {
            return OptionValues.parse(option, MethodOptions.Surface.CLI, value);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Set<String> names(Args args, String option) {
        Set<String> names = new LinkedHashSet<>();
        args.value(option).ifPresent(v -> Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .forEach(names::add));
        return names;
    }

    /** The report is for machines: never leave half a JSON file behind. */
    private static void writeAtomically(Path target, String json) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, ".report-", ".json.tmp");
        try {
            Files.writeString(temp, json + System.lineSeparator(), StandardCharsets.UTF_8);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Parameters per precision present, e.g. {@code int8 101632 (3 layers), fp32 1280 (1 layer)}. */
    private static String weightsLine(PrecisionMix mix) {
        List<String> parts = new ArrayList<>();
        for (WeightPrecision precision : WeightPrecision.values()) {
            long layers = mix.layers().get(precision);
            if (layers > 0) {
                parts.add(precision.wireName() + " " + mix.parameters().get(precision) + " parameters (" + layers
                        + (layers == 1 ? " layer)" : " layers)"));
            }
        }
        return String.join(", ", parts);
    }

    private static void printSummary(Path in, Path out, QuantizationReport report, PrintStream print) {
        print.printf("%s -> %s (%s)%n", in.getFileName(), out.getFileName(),
                report.precisionMix().label(report.method()));
        print.printf("weights     %s%n", weightsLine(report.precisionMix()));
        print.printf("float       %s%n", report.precisionMix().floatShareLabel(report.method()));
        print.printf("size        %s -> %s (%.1f%% of the original)%n", Formats.megabytes(report.bytesBefore()),
                Formats.megabytes(report.bytesAfter()), 100 * report.sizeRatio());
        print.printf("layers      %d quantized, %d kept in float%n", report.count(LayerReport.Status.QUANTIZED),
                report.keptCount());
        if (report.accuracyBudget() != null) {
            var budget = report.accuracyBudget();
            print.printf("budget      %.4f: relative output error %.4f -> %.4f (%s), %d layers kept in float%n",
                    budget.budget(), budget.initialRelativeError(), budget.finalRelativeError(),
                    budget.reached() ? "within budget" : "NOT reached", budget.keptFloat().size());
        }
        print.printf("time        %.2f s%n", report.elapsedMillis() / 1000.0);
        print.printf("check       %s%n", report.verification().summary());
        TextTable table = new TextTable("node", "op", "status", "SQNR dB", "detail");
        for (LayerReport layer : report.layers()) {
            table.row(layer.node(), layer.opType(), layer.status().name().toLowerCase().replace('_', ' '),
                    layer.sensitivitySqnrDb() == null ? "" : Formats.fixed(layer.sensitivitySqnrDb(), 1),
                    layer.detail() == null ? "" : layer.detail());
        }
        print.println();
        table.print(print);
        for (String note : report.notes()) {
            print.println("note: " + note);
        }
    }
}
