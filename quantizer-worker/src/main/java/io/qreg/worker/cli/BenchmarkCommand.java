package io.qreg.worker.cli;

import io.qreg.engine.bench.BenchmarkOptions;
import io.qreg.engine.bench.BenchmarkReport;
import io.qreg.engine.bench.BenchmarkResult;
import io.qreg.engine.bench.BenchmarkRunner;
import io.qreg.engine.bench.LatencyStats;
import io.qreg.npy.MappedNpy;
import io.qreg.engine.ProgressListener;
import io.qreg.npy.NpyArray;

import io.qreg.worker.json.BenchmarkJson;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code benchmark}: latency, throughput and memory of one or more models, compared interleaved. */
public final class BenchmarkCommand implements ParsedCommand {

    private static final Args.Spec SPEC = Args.spec()
            .option("--batch").option("--threads").option("--iterations").option("--warmup").option("--seq-len")
            .option("--concurrency").option("--seed").repeatable("--input").repeatable("--shape").flag("--json").flag("--progress").flag("--help");

    @Override
    public String name() {
        return "benchmark";
    }

    @Override
    public String summary() {
        return "latency, throughput and memory of models, with speed-up over the first";
    }

    @Override
    public String usage() {
        return """
                usage: benchmark [--batch 1] [--threads N] [--iterations N] [--warmup N] [--seq-len N]
                                 [--concurrency 1] [--input INPUT_NAME=X.npy ... | --shape INPUT_NAME=1x3x224x224 ...]
                                 [--seed N] [--json] [--progress]
                                 MODEL.onnx [MORE.onnx ...]

                  --batch        samples per run, filling each input's symbolic first dimension (default 1)
                  --threads      intra-op threads (default: ONNX Runtime's choice)
                  --iterations   timed runs per model (default %d)
                  --warmup       untimed runs per model before timing (default %d)
                  --seq-len      size of the other symbolic dimensions of integer inputs: the sequence length of
                                 token ids and masks (default %d)
                  --concurrency  callers running each model at once on its one shared session (default 1);
                                 --iterations is then the total of timed calls per model, shared out, and
                                 samples/s is samples of all calls / wall time of that model's turns
                  --input        feed this array (its first samples, cycled to fill the batch) instead of
                                 random data; symbolic dimensions then follow the array
                  --shape        the full shape of an input's random data, e.g. x=1x3x224x224; needed where the model
                                 leaves a non-batch dimension of a floating-point input symbolic, or gives no shape
                  --seed         seed of the random inputs (default 42)
                  --json         print one JSON object on stdout instead of the table
                  --progress     draw a progress bar on stderr even when it is not a terminal

                Several models are timed interleaved (one run of each per round, rotating which goes first) so
                they share the machine's state; speed-up = first model's p50 / this model's p50. A result whose
                coefficient of variation exceeds %.2f is flagged noisy. Memory: "RSS +" is the growth of the
                process's resident set (VmRSS in /proc/self/status) from loading and warming up that model.
                """.formatted(BenchmarkOptions.DEFAULT_ITERATIONS, BenchmarkOptions.DEFAULT_WARMUP,
                BenchmarkOptions.DEFAULT_SEQ_LEN, LatencyStats.NOISY_CV_THRESHOLD);
    }

    @Override
    public Args.Spec options() {
        return SPEC;
    }

    @Override
    public int run(Args args, CliContext context) throws Exception {
        if (args.positionals().isEmpty()) {
            throw new UsageException("missing MODEL.onnx");
        }
        List<Path> models = new ArrayList<>();
        for (String model : args.positionals()) {
            models.add(Args.existingFile("MODEL.onnx", model));
        }
        Map<String, NpyArray> given = new LinkedHashMap<>();
        for (Map.Entry<String, Path> input : args.namedFiles("--input").entrySet()) {
            given.put(input.getKey(), MappedNpy.open(input.getValue()));
        }
        Map<String, long[]> shapes = shapes(args.values("--shape"));
        if (!shapes.isEmpty() && !given.isEmpty()) {
            throw new UsageException("--shape sets the shape of random data; with --input every input comes from its"
                    + " array, so give one or the other");
        }
        BenchmarkOptions options = new BenchmarkOptions(
                args.intValue("--batch", 1, 1),
                args.intValue("--threads", 0, 0),
                args.intValue("--iterations", BenchmarkOptions.DEFAULT_ITERATIONS, 1),
                args.intValue("--warmup", BenchmarkOptions.DEFAULT_WARMUP, 0),
                args.intValue("--seq-len", BenchmarkOptions.DEFAULT_SEQ_LEN, 1),
                args.longValue("--seed", 42L),
                given,
                args.intValue("--concurrency", 1, 1),
                shapes);

        ProgressListener progress = ProgressBar.create(context, args.flag("--progress"), "benchmark");
        BenchmarkReport report = BenchmarkRunner.run(models, options, progress);

        if (args.flag("--json")) {
            context.out().println(CliJson.write(BenchmarkJson.of(report, options)));
        } else {
            printTable(report, options, context.out());
        }
        return ExitCode.OK;
    }

    /** {@code NAME=1x3x224x224} values, input name to shape. */
    static Map<String, long[]> shapes(List<String> values) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (String value : values) {
            int eq = value.lastIndexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                throw new UsageException("--shape needs INPUT_NAME=DIMS, e.g. x=1x3x224x224, got '" + value + "'");
            }
            String[] parts = value.substring(eq + 1).split("x", -1);
            long[] shape = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    shape[i] = Long.parseLong(parts[i].trim());
                } catch (NumberFormatException e) {
                    shape[i] = 0;
                }
                if (shape[i] < 1) {
                    throw new UsageException("--shape " + value + ": every dimension must be a positive whole"
                            + " number, e.g. x=1x3x224x224");
                }
            }
            if (shapes.put(value.substring(0, eq), shape) != null) {
                throw new UsageException("--shape " + value.substring(0, eq) + " is given twice");
            }
        }
        return shapes;
    }

    private static void printTable(BenchmarkReport report, BenchmarkOptions options, PrintStream out) {
        TextTable table = new TextTable("model", "load ms", "p50 ms", "p90 ms", "p99 ms", "mean ms", "cv",
                "samples/s", "speed-up", "RSS +");
        boolean anyNoisy = false;
        for (BenchmarkResult r : report.results()) {
            LatencyStats l = r.latency();
            anyNoisy |= r.noisy();
            Path file = Path.of(r.model()).getFileName();
            table.row(file == null ? r.model() : file.toString(), Formats.fixed(r.loadTimeMs(), 1),
                    Formats.fixed(l.p50Ms(), 3), Formats.fixed(l.p90Ms(), 3), Formats.fixed(l.p99Ms(), 3),
                    Formats.fixed(l.meanMs(), 3), Formats.fixed(l.cv(), 2) + (r.noisy() ? "*" : ""),
                    Formats.fixed(r.throughput(), 1), Formats.fixed(r.speedup(), 2) + "x" + (r.interval() == null
                            ? "" : " [" + Formats.fixed(r.interval().speedupLow(), 2) + ", "
                            + Formats.fixed(r.interval().speedupHigh(), 2) + "]"),
                    Formats.megabytes(r.rssDeltaBytes()));
        }
        BenchmarkResult first = report.results().get(0);
        out.println("batch " + first.batch() + ", " + first.latency().runs() + " timed runs per model (interleaved), "
                + first.warmup() + " warm-up, threads " + (first.intraOpThreads() == 0 ? "default"
                : first.intraOpThreads())
                + (options.concurrency() > 1 ? ", " + options.concurrency() + " concurrent callers" : "")
                + ", ONNX Runtime " + report.onnxRuntimeVersion());
        out.println();
        table.print(out);
        out.println();
        if (anyNoisy) {
            out.println("* noisy: coefficient of variation above " + Formats.fixed(report.noisyCvThreshold(), 2)
                    + "; rerun with more --iterations on a quieter machine before trusting the comparison");
        }
        out.println("memory: process peak RSS (VmHWM) " + Formats.megabytes(report.peakRssBytes())
                + ", JVM heap peak " + Formats.megabytes(report.jvmHeapPeakBytes())
                + "; \"RSS +\" is VmRSS growth from loading and warming up each model");
    }
}
