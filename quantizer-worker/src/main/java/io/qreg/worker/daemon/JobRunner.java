package io.qreg.worker.daemon;

import io.qreg.worker.protocol.JobAssignment;
import io.qreg.worker.protocol.JobProduct;
import io.qreg.engine.bench.BenchmarkOptions;
import io.qreg.engine.bench.BenchmarkReport;
import io.qreg.engine.bench.BenchmarkRunner;
import io.qreg.engine.eval.EvaluationData;
import io.qreg.engine.eval.EvaluationOptions;
import io.qreg.engine.eval.EvaluationResult;
import io.qreg.engine.eval.EvaluationTask;
import io.qreg.engine.eval.Evaluator;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.ModelSession;
import io.qreg.engine.model.OnnxModelException;
import io.qreg.engine.calibration.CalibrationMethod;
import io.qreg.engine.quant.Method;
import io.qreg.engine.quant.MethodOptions;
import io.qreg.engine.quant.OptionValues;
import io.qreg.engine.QuantizationException;
import io.qreg.engine.quant.QuantizationOptions;
import io.qreg.engine.pipeline.QuantizationReport;
import io.qreg.engine.pipeline.Quantizer;
import io.qreg.engine.quant.weightonly.Algorithm;
import io.qreg.engine.sensitivity.SensitivityRequest;
import io.qreg.npy.NpyFormatException;
import io.qreg.onnx.OnnxFormatException;
import io.qreg.onnx.OnnxHeaderReader;
import io.qreg.onnx.TensorSignature;
import io.qreg.worker.json.BenchmarkJson;
import io.qreg.worker.json.EvaluationJson;
import io.qreg.worker.protocol.ArtifactRef;
import io.qreg.worker.protocol.DatasetRef;
import io.qreg.worker.protocol.RecipeOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Runs one claimed job in a scratch directory: downloads its inputs (sha256-checked), drives the engine and turns
 * the outcome into a {@link JobResult}. Never throws for a job's own faults: bad input (the engine's
 * {@link QuantizationException}, {@link InvalidInputException}, {@link NpyFormatException}, an unsupported task or
 * recipe) is FAILED non-retryable with the engine's message; download and network faults are FAILED retryable.
 * When the job was told to stop ({@link JobControl}) the result is meaningless and the caller acts on the stop
 * reason instead.
 */
public class JobRunner {

    /** A job the worker can never run as given: fails the job without retries. */
    public static final class BadInputException extends RuntimeException {
        public BadInputException(String message) {
            super(message);
        }
    }

    private final RegistryClient client;
    private final WorkerConfig config;

    public JobRunner(RegistryClient client, WorkerConfig config) {
        this.client = client;
        this.config = config;
    }

    /**
     * Runs the job; {@code scratch} must exist and is left for the caller to delete (after posting the result,
     * whose file lives there).
     */
    public JobResult run(JobAssignment job, JobControl control, Path scratch) {
        if (job.unreadable() != null) {
            return JobResult.failed(job.unreadable(), false);
        }
        try {
            return switch (job.type()) {
                case "QUANTIZE" -> quantize(job, control, scratch);
                case "EVALUATE" -> evaluate(job, control, scratch);
                case "BENCHMARK" -> benchmark(job, control, scratch);
                default -> JobResult.failed("this worker does not know job type '" + job.type() + "'", false);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JobResult.failed("interrupted: " + e.getMessage(), true);
        } catch (JobControl.Stopped e) {
            return JobResult.cancelled();
        } catch (QuantizationException | InvalidInputException | NpyFormatException | OnnxFormatException
                | OnnxModelException | BadInputException e) {
            return JobResult.failed(message(e), false);
        } catch (ai.onnxruntime.OrtException e) {
            // ONNX Runtime refusing this model with this data is deterministic: retrying would fail the same way.
            return JobResult.failed("ONNX Runtime: " + message(e), false);
        } catch (IOException e) {
            return JobResult.failed(message(e), true);
        } catch (RuntimeException | LinkageError e) {
            // An engine bug or a broken environment on this machine: another attempt (maybe elsewhere) may succeed,
            // and the registry's attempt limit stops endless retries.
            return JobResult.failed("internal error: " + e, true);
        }
    }

    private JobResult quantize(JobAssignment job, JobControl control, Path scratch)
            throws IOException, InterruptedException, QuantizationException {
        RecipeOptions recipe = required(job, job.recipe(), "recipe");
        Path checkpoint = download(job, job.checkpoint(), "checkpoint", scratch.resolve("checkpoint.onnx"), control,
                0.00, 0.05);
        Map<String, Path> calibration = Map.of();
        DatasetRef calibrationDataset = job.calibrationDataset();
        if (calibrationDataset != null) {
            Path dataset = download(calibrationDataset.contentUrl(), calibrationDataset.sha256(), "calibrationDataset",
                    scratch.resolve("calibration.data"), control, 0.05, 0.10);
            List<String> inputs = inputNames(checkpoint);
            calibration = DatasetFiles.extract(dataset, inputs, scratch.resolve("calibration")).inputs();
            if (calibration.isEmpty()) {
                throw new BadInputException("the calibration dataset holds no array for the model's inputs " + inputs
                        + " (only labels/slices)");
            }
        }
        QuantizationOptions options = options(recipe, calibration);
        SensitivityRequest sensitivity = config.measureSensitivity() && !calibration.isEmpty()
                ? SensitivityRequest.measure(SensitivityRequest.DEFAULT_MAX_SAMPLES) : SensitivityRequest.NONE;
        Path out = scratch.resolve("out.onnx");
        control.report(0.10, "quantizing (" + options.method().wireName() + ")");
        QuantizationReport report = Quantizer.quantize(checkpoint, out, options, control.phase(0.10, 0.95),
                sensitivity);
        control.checkpoint();
        control.report(0.97, "hashing the variant");
        return JobResult.succeeded(JobProduct.quantized(report.toMap(), EngineVersion.get(),
                ModelSession.runtimeVersion(), sha256(out), Files.size(out)), out);
    }

    /**
     * The recipe's fields over the method's defaults, the way {@code quantize}'s flags map onto them: the one place
     * a claim's recipe becomes {@link QuantizationOptions}, refusing what the method does not take by field name.
     */
    static QuantizationOptions options(RecipeOptions recipe, Map<String, Path> calibration) {
        try {
            Method method = Method.parse(recipe.method());
            QatRecipe.refuseInapplicable(method, recipe.toJson(), calibration);
            QuantizationOptions defaults = QuantizationOptions.defaults(method);
            Boolean perChannel = recipe.perChannel();
            Boolean symmetric = recipe.symmetric();
            Integer blockSize = recipe.blockSize();
            String calibrationMethod = recipe.calibrationMethod();
            Double percentile = recipe.percentile();
            Double budget = recipe.accuracyBudget();
            Double smoothQuant = SmoothQuantField.read(method, recipe.toJson());
            requireAccepted(MethodOptions.Option.BLOCK_SIZE, blockSize);
            requireAccepted(MethodOptions.Option.PERCENTILE, percentile);
            requireAccepted(MethodOptions.Option.ACCURACY_BUDGET, budget);
            CalibrationMethod calibrationMethodValue = defaults.calibrationMethod();
            if (calibrationMethod != null && method == Method.INT8_STATIC) {
                calibrationMethodValue = CalibrationMethod.parse(calibrationMethod);
            }
            if (method == Method.INT8_STATIC && calibration.isEmpty()) {
                throw new BadInputException("recipe method int8-static needs a calibration dataset, and the job has"
                        + " none");
            }
            if (budget != null && calibration.isEmpty()) {
                throw new BadInputException("the recipe's accuracyBudget measures the output error on calibration"
                        + " data, and the job has no calibration dataset");
            }
            String algorithmName = recipe.algorithm();
            // The registry may send the default (rtn) with every recipe; only another algorithm is a request.
            if (algorithmName != null && !algorithmName.equals(Algorithm.RTN.wireName())) {
                MethodOptions.refusal(method, MethodOptions.Option.ALGORITHM, MethodOptions.Surface.RECIPE)
                        .ifPresent(message -> {
                            throw new BadInputException("recipe: " + message);
                        });
            }
            Algorithm algorithm = algorithmName == null ? Algorithm.RTN : Algorithm.parse(algorithmName);
            Double gptqDamp = recipe.gptqDamp();
            requireAccepted(MethodOptions.Option.GPTQ_DAMP, gptqDamp);
            Boolean actOrder = recipe.actOrder();
            // Likewise a gptqDamp equal to the default, or actOrder false, asks for nothing.
            boolean dampGiven = gptqDamp != null && gptqDamp.doubleValue() != QuantizationOptions.DEFAULT_GPTQ_DAMP;
            MethodOptions.algorithmRefusal(method, algorithm, dampGiven, Boolean.TRUE.equals(actOrder),
                    !calibration.isEmpty(), MethodOptions.Surface.RECIPE).ifPresent(message -> {
                        throw new BadInputException("recipe: " + message);
                    });
            if (recipe.targetBitsPerWeight() != null) {
                MethodOptions.targetRefusal(algorithm, symmetric == null ? defaults.symmetric() : symmetric,
                        MethodOptions.Surface.RECIPE).ifPresent(message -> {
                            throw new BadInputException("recipe: " + message);
                        });
            }
            return new QuantizationOptions(method, Boolean.TRUE.equals(perChannel),
                    symmetric == null ? defaults.symmetric() : symmetric,
                    blockSize == null ? defaults.blockSize() : blockSize.intValue(), calibrationMethodValue,
                    percentile == null ? defaults.percentile() : percentile.doubleValue(),
                    new LinkedHashSet<>(recipe.excludeNodes()),
                    new LinkedHashSet<>(recipe.excludeOpTypes()), calibration,
                    budget == null ? null : budget.doubleValue(), null, true, smoothQuant,
                    targetBitsPerWeight(recipe, calibration), algorithm,
                    gptqDamp == null ? QuantizationOptions.DEFAULT_GPTQ_DAMP : gptqDamp.doubleValue(),
                    Boolean.TRUE.equals(actOrder));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("recipe: " + e.getMessage());
        }
    }

    /** Checked here, not only in {@link QuantizationOptions}, so that the refusal names the recipe field. */
    private static void requireAccepted(MethodOptions.Option option, Number value) {
        if (value != null) {
            OptionValues.require(option, MethodOptions.Surface.RECIPE, value.doubleValue());
        }
    }

    /** The recipe's {@code targetBitsPerWeight} (int4-weight mixed precision), refused without calibration data. */
    private static Double targetBitsPerWeight(RecipeOptions recipe, Map<String, Path> calibration) {
        Double target = recipe.targetBitsPerWeight();
        requireAccepted(MethodOptions.Option.TARGET_BITS_PER_WEIGHT, target);
        if (target != null && calibration.isEmpty()) {
            throw new BadInputException("the recipe's targetBitsPerWeight chooses each layer's precision from its"
                    + " sensitivity measured on calibration data, and the job has no calibration dataset");
        }
        return target == null ? null : target.doubleValue();
    }

    private JobResult evaluate(JobAssignment job, JobControl control, Path scratch)
            throws IOException, InterruptedException, ai.onnxruntime.OrtException {
        String taskName = job.task();
        EvaluationTask task;
        try {
            task = EvaluationTask.fromCliName(taskName == null ? "" : taskName);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("cannot evaluate a model of task '" + taskName
                    + "': this worker evaluates classification, language-model and embedding models");
        }
        // Without a variant the job evaluates the checkpoint itself: the model is its own reference.
        String measured = job.variant() == null ? "checkpoint" : "variant";
        Path checkpoint = download(job, job.checkpoint(), "checkpoint", scratch.resolve("checkpoint.onnx"), control,
                0.00, 0.04);
        Path model = measured.equals("variant") ? download(job, job.variant(), "variant",
                scratch.resolve("variant.onnx"), control, 0.04, 0.08) : checkpoint;
        DatasetRef dataset = required(job, job.dataset(), "dataset");
        Path datasetFile = download(dataset.contentUrl(), dataset.sha256(), "dataset", scratch.resolve("dataset.data"),
                control, 0.08, 0.10);
        DatasetFiles files = DatasetFiles.extract(datasetFile, inputNames(model), scratch.resolve("dataset"));
        if (files.labels() == null && task != EvaluationTask.EMBEDDING) {
            throw new BadInputException("the evaluation dataset has no 'labels' array, which " + task.cliName()
                    + " metrics need");
        }
        EvaluationData data = EvaluationData.open(files.inputs(), files.labels(), files.slices());
        control.report(0.10, "evaluating");
        EvaluationResult result = Evaluator.evaluate(task, model, checkpoint, data, EvaluationOptions.defaults(),
                control.phase(0.10, 0.98));
        control.checkpoint();
        Map<String, Object> evaluation = new LinkedHashMap<>(EvaluationJson.of(result));
        evaluation.remove("command");
        // Scratch paths mean nothing to the registry: name the artifacts instead.
        evaluation.put("model", artifactName(job, measured));
        evaluation.put("reference", artifactName(job, "checkpoint"));
        return JobResult.succeeded(JobProduct.evaluated(evaluation, EngineVersion.get(),
                ModelSession.runtimeVersion()), null);
    }

    /** Samples per run of a BENCHMARK job's second measurement: a small serving batch. */
    static final int BENCHMARK_BATCH = 8;
    /** Callers of a BENCHMARK job's third measurement: min(this, cores), so a small worker is not oversubscribed. */
    static final int MAX_BENCHMARK_CALLERS = 4;

    /**
     * Three measurements of [checkpoint, variant], each interleaved: batch 1 with {@code benchmarkIterations} runs
     * per model ({@code results}, as the registry reads it); batch {@value #BENCHMARK_BATCH} with half as many
     * ({@code batched}); batch 1 under N = min({@value #MAX_BENCHMARK_CALLERS}, cores) concurrent callers sharing
     * each model's session, {@code benchmarkIterations} calls per model in all, intra-op threads cores / N so the
     * callers do not fight over cores ({@code concurrent}). Warm-up as configured for each.
     */
    private JobResult benchmark(JobAssignment job, JobControl control, Path scratch)
            throws IOException, InterruptedException, ai.onnxruntime.OrtException {
        Path checkpoint = download(job, job.checkpoint(), "checkpoint", scratch.resolve("checkpoint.onnx"), control,
                0.00, 0.05);
        Path variant = download(job, job.variant(), "variant", scratch.resolve("variant.onnx"), control, 0.05, 0.10);
        List<Path> models = List.of(checkpoint, variant);
        int cores = Runtime.getRuntime().availableProcessors();
        BenchmarkOptions options = new BenchmarkOptions(1, cores,
                config.benchmarkIterations(), config.benchmarkWarmup(), BenchmarkOptions.DEFAULT_SEQ_LEN, 42L,
                Map.of());
        control.report(0.10, "benchmarking");
        BenchmarkReport report = BenchmarkRunner.run(models, options, control.phase(0.10, 0.60));
        control.checkpoint();

        BenchmarkOptions batchedOptions = new BenchmarkOptions(BENCHMARK_BATCH, cores,
                Math.max(1, config.benchmarkIterations() / 2), config.benchmarkWarmup(),
                BenchmarkOptions.DEFAULT_SEQ_LEN, 42L, Map.of());
        control.report(0.60, "benchmarking batch " + BENCHMARK_BATCH);
        BenchmarkReport batched = BenchmarkRunner.run(models, batchedOptions, control.phase(0.60, 0.78));
        control.checkpoint();

        int callers = Math.min(MAX_BENCHMARK_CALLERS, cores);
        BenchmarkOptions concurrentOptions = new BenchmarkOptions(1, Math.max(1, cores / callers),
                config.benchmarkIterations(), config.benchmarkWarmup(), BenchmarkOptions.DEFAULT_SEQ_LEN, 42L,
                Map.of(), callers);
        control.report(0.78, "benchmarking " + callers + " concurrent callers");
        BenchmarkReport concurrent = BenchmarkRunner.run(models, concurrentOptions, control.phase(0.78, 0.98));
        control.checkpoint();

        Map<String, Object> benchmark = benchmarkJson(job, report, options);
        benchmark.put("hardwareTarget", job.hardwareTarget());
        benchmark.put("batched", benchmarkJson(job, batched, batchedOptions));
        Map<String, Object> concurrentJson = benchmarkJson(job, concurrent, concurrentOptions);
        concurrentJson.put("concurrency", callers);
        benchmark.put("concurrent", concurrentJson);
        return JobResult.succeeded(JobProduct.benchmarked(benchmark, EngineVersion.get(),
                report.onnxRuntimeVersion()), null);
    }

    /** {@code benchmark --json}'s map without "command", each result named by role and artifact, not scratch path. */
    private static Map<String, Object> benchmarkJson(JobAssignment job, BenchmarkReport report,
            BenchmarkOptions options) {
        Map<String, Object> benchmark = new LinkedHashMap<>(BenchmarkJson.of(report, options));
        benchmark.remove("command");
        List<Object> results = new ArrayList<>();
        String[] roles = {"checkpoint", "variant"};
        Object raw = benchmark.get("results");
        if (raw instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = new LinkedHashMap<>((Map<String, Object>) list.get(i));
                if (i < roles.length) {
                    r.put("role", roles[i]);
                    r.put("model", artifactName(job, roles[i]));
                }
                results.add(r);
            }
        }
        benchmark.put("results", results);
        return benchmark;
    }

    private Path download(JobAssignment job, ArtifactRef artifact, String part, Path target, JobControl control,
            double from, double to) throws IOException, InterruptedException {
        ArtifactRef present = required(job, artifact, part);
        return download(present.contentUrl(), present.sha256(), part, target, control, from, to);
    }

    private Path download(String url, String sha256, String what, Path target, JobControl control, double from,
            double to) throws IOException, InterruptedException {
        control.checkpoint();
        if (url == null) {
            throw new BadInputException("the job's " + what + " has no contentUrl");
        }
        control.report(from, "downloading " + what);
        client.download(url, target, sha256,
                new DownloadProgress(what, from, to, control::reportPromptly));
        control.report(to, "downloaded " + what);
        return target;
    }

    private static <T> T required(JobAssignment job, T value, String part) {
        if (value == null) {
            throw new BadInputException(job.type() + " job without '" + part + "'");
        }
        return value;
    }

    private static String artifactName(JobAssignment job, String part) {
        ArtifactRef artifact = part.equals("variant") ? job.variant() : job.checkpoint();
        String id = artifact == null ? null : artifact.id();
        return id == null ? part : part + ":" + id;
    }

    /** The model's graph inputs (initializers older exporters also list as inputs left out). */
    static List<String> inputNames(Path model) throws IOException {
        try (InputStream in = Files.newInputStream(model)) {
            return OnnxHeaderReader.read(in).inputs().stream().map(TensorSignature::name).toList();
        }
    }

    static String sha256(Path file) throws IOException {
        var digest = RegistryClient.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.toString() : m;
    }
}
