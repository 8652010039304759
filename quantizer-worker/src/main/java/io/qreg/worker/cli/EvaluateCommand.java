package io.qreg.worker.cli;

import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationResult;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.MetricKeys;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.SliceMetrics;

import io.qreg.worker.json.EvaluationJson;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code evaluate}: task metrics of a model on a dataset, optionally against a reference model. */
public final class EvaluateCommand implements ParsedCommand {

    private static final Args.Spec SPEC = Args.spec()
            .option("--task").repeatable("--input").option("--labels").option("--reference").option("--slices")
            .option("--batch-size").option("--threads").flag("--json").flag("--progress").flag("--help");

    @Override
    public String name() {
        return "evaluate";
    }

    @Override
    public String summary() {
        return "accuracy, perplexity or embedding recall of a model, and how far it strays from a reference model";
    }

    @Override
    public String usage() {
        return """
                usage: evaluate --task classification|language-model|embedding --input INPUT_NAME=X.npy
                                [--input ...] --labels Y.npy [--reference REF.onnx] [--slices S.npy]
                                [--batch-size N] [--threads N] [--json] [--progress] MODEL.onnx

                  --task         classification: output [N, classes], labels [N] -> accuracy,
                                 expectedCalibrationError
                                 language-model: output [N, T, vocab], labels [N, T] -> perplexity,
                                 nextTokenAccuracy (labels < 0 are ignored)
                                 embedding: output [N, D] (or [N, T, D], mean-pooled over T); labels [N]
                                 optional, each the index of the item's relevant item -> recall10
                  --input        a model input and the .npy array feeding it (first dim = samples); repeat per input
                  --labels       integer labels .npy (optional for embedding)
                  --reference    a reference model (e.g. the FP32 original): adds top1Agreement, sqnrDb,
                                 maxAbsError and deltas (model - reference) of the task metrics, and
                                 classification: flipRate (overall and per class)
                                 language-model: meanKld, kld99, kld999, rmsDeltaP, sameTopToken
                                 embedding: meanCosine, cosineP1, neighbourOverlap10
                  --slices       integer slice id per sample .npy: the same metrics per slice, with sample counts
                  --batch-size   samples per ONNX Runtime call (default %d)
                  --threads      intra-op threads (default: ONNX Runtime's choice)
                  --json         print one JSON object on stdout instead of the summary
                  --progress     draw a progress bar on stderr even when it is not a terminal
                """.formatted(EvaluationOptions.DEFAULT_BATCH_SIZE);
    }

    @Override
    public Args.Spec options() {
        return SPEC;
    }

    @Override
    public int run(Args args, CliContext context) throws Exception {
        EvaluationTask task;
        try {
            task = EvaluationTask.fromCliName(args.required("--task"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--task: " + e.getMessage());
        }
        Path model = singleModel(args);
        Map<String, Path> inputs = args.namedFiles("--input");
        if (inputs.isEmpty()) {
            throw new UsageException("missing required option --input INPUT_NAME=X.npy");
        }
        // An embedding model can be compared with its reference without labels; the other tasks score labels.
        Path labels = task == EvaluationTask.EMBEDDING
                ? args.value("--labels").map(p -> Args.existingFile("--labels", p)).orElse(null)
                : Args.existingFile("--labels", args.required("--labels"));
        Path reference = args.value("--reference").map(p -> Args.existingFile("--reference", p)).orElse(null);
        Path slices = args.value("--slices").map(p -> Args.existingFile("--slices", p)).orElse(null);
        EvaluationOptions options = new EvaluationOptions(
                args.intValue("--batch-size", EvaluationOptions.DEFAULT_BATCH_SIZE, 1), args.intValue("--threads", 0, 0));

        EvaluationData data = EvaluationData.open(inputs, labels, slices);
        ProgressListener progress = ProgressBar.create(context, args.flag("--progress"), "evaluate");
        EvaluationResult result = Evaluator.evaluate(task, model, reference, data, options, progress);

        if (args.flag("--json")) {
            context.out().println(CliJson.write(EvaluationJson.of(result)));
        } else {
            printSummary(result, context.out());
        }
        return ExitCode.OK;
    }

    private static Path singleModel(Args args) {
        List<String> positionals = args.positionals();
        if (positionals.isEmpty()) {
            throw new UsageException("missing MODEL.onnx");
        }
        if (positionals.size() > 1) {
            throw new UsageException("evaluate takes one model, got " + positionals.size() + ": " + positionals
                    + " (compare against another with --reference)");
        }
        return Args.existingFile("MODEL.onnx", positionals.get(0));
    }

    private static void printSummary(EvaluationResult result, PrintStream out) {
        out.println("model      " + result.model());
        if (result.reference() != null) {
            out.println("reference  " + result.reference());
        }
        out.println("task       " + result.task().cliName() + " (output '" + result.outputName() + "')");
        out.println("samples    " + result.samples()
                + (result.positions() != result.samples() ? " (" + result.positions() + " positions)" : ""));
        out.println();
        boolean withReference = result.reference() != null;
        TextTable table = withReference ? new TextTable("metric", "model", "reference", "delta")
                : new TextTable("metric", "value");
        result.metrics().forEach((key, value) -> {
            if (withReference) {
                Double ref = result.referenceMetrics().get(key);
                Double delta = result.deltas().get(key);
                table.row(key, Formats.fixed(value, 4), ref == null ? "" : Formats.fixed(ref, 4),
                        delta == null ? "" : Formats.signed(delta, 4));
            } else {
                table.row(key, Formats.fixed(value, 4));
            }
        });
        table.print(out);
        if (!result.flipsByClass().isEmpty()) {
            out.println();
            TextTable classes = new TextTable("class", "samples", "flips", "flipRate");
            result.flipsByClass().values().forEach(c -> classes.row(String.valueOf(c.classId()),
                    String.valueOf(c.samples()), String.valueOf(c.flips()), Formats.fixed(c.flipRate(), 4)));
            classes.print(out);
        }
        if (!result.slices().isEmpty()) {
            out.println();
            List<String> keys = new ArrayList<>(result.metrics().keySet());
            List<String> header = new ArrayList<>(List.of("slice", "samples"));
            header.addAll(keys);
            keys.stream().filter(MetricKeys.TASK_METRICS::contains).filter(k -> withReference)
                    .forEach(k -> header.add("delta " + k));
            TextTable slices = new TextTable(header.toArray(String[]::new));
            for (SliceMetrics slice : result.slices().values()) {
                List<String> row = new ArrayList<>(List.of(String.valueOf(slice.sliceId()),
                        String.valueOf(slice.samples())));
                keys.forEach(k -> row.add(Formats.fixed(slice.metrics().getOrDefault(k, Double.NaN), 4)));
                keys.stream().filter(MetricKeys.TASK_METRICS::contains).filter(k -> withReference)
                        .forEach(k -> row.add(Formats.signed(slice.deltas().getOrDefault(k, Double.NaN), 4)));
                slices.row(row.toArray(String[]::new));
            }
            slices.print(out);
        }
    }
}
