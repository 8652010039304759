package io.qreg.engine.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.eval.InputBatch;
import io.qreg.engine.eval.InputFeeds;
import io.qreg.engine.eval.InvalidInputException;
import io.qreg.engine.eval.ModelSession;
import io.qreg.engine.ProgressListener;
import io.qreg.engine.eval.TensorSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Loads each model, warms it up, then times all of them interleaved: in round {@code i} every model runs once,
 * starting from model {@code i mod m}. Interleaving gives each model the same share of the machine's good and bad
 * moments; rotating the start stops one model from always running right after another's cache-polluting run.
 * With {@link BenchmarkOptions#concurrency()} above 1, each model's turn in a round is a phase of that many callers
 * sharing its session at once (all callers of one model, then all of the next), so latency is measured under load.
 */
public final class BenchmarkRunner {

    private BenchmarkRunner() {
    }

    /**
     * @param progress told of timed rounds done out of {@code iterations}
     * @throws io.qreg.engine.eval.InvalidInputException if a model cannot be loaded or given inputs do not fit it
     */
    public static BenchmarkReport run(List<Path> models, BenchmarkOptions options, ProgressListener progress)
            throws OrtException {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no models to benchmark");
        }
        // Start ONNX Runtime (native library, thread pools, logging) before any measurement, so that its one-off
        // cost is not charged to the first model's load time and resident memory.
        String runtimeVersion = ModelSession.runtimeVersion();
        List<Loaded> loaded = new ArrayList<>();
        try {
            for (Path model : models) {
                loaded.add(load(model, options));
            }
            long[][] nanos = new long[loaded.size()][options.iterations()];
            long[] wallNanos = new long[loaded.size()];
            if (options.concurrency() == 1) {
                try {
                    for (int round = 0; round < options.iterations(); round++) {
                        for (int k = 0; k < loaded.size(); k++) {
                            int m = (round + k) % loaded.size();
                            nanos[m][round] = loaded.get(m).timedRun();
                            wallNanos[m] += nanos[m][round];
                        }
                        progress.progress("benchmark", round + 1, options.iterations());
                    }
                } finally {
                    progress.finish();
                }
            } else {
                timeConcurrently(loaded, options, nanos, wallNanos, progress);
            }
            List<BenchmarkResult> results = new ArrayList<>();
            double baselineP50 = 0;
            for (int m = 0; m < loaded.size(); m++) {
                Loaded model = loaded.get(m);
                LatencyStats stats = LatencyStats.ofNanos(nanos[m]);
                if (m == 0) {
                    baselineP50 = stats.p50Ms();
                }
                double throughput;
                if (options.concurrency() == 1) {
                    throughput = stats.meanMs() == 0 ? 0 : model.batch * 1000.0 / stats.meanMs();
                } else {
                    // Calls overlap, so the mean latency says nothing of throughput: count samples over wall time.
                    throughput = wallNanos[m] == 0 ? 0
                            : (double) model.batch * options.iterations() * 1e9 / wallNanos[m];
                }
                // Run i of every model is in the same round, so the bootstrap resamples rounds as pairs.
                SpeedupInterval interval = SpeedupInterval.bootstrap(nanos[0], nanos[m],
                        SpeedupInterval.DEFAULT_RESAMPLES, options.seed());
                results.add(new BenchmarkResult(model.session.path().toString(), model.loadTimeMs, model.batch,
                        options.intraOpThreads(), options.warmup(), stats, throughput, baselineP50 / stats.p50Ms(),
                        model.rssDeltaBytes, interval));
            }
            return new BenchmarkReport(results, runtimeVersion,
                    ProcessMemory.peakResidentBytes().orElse(-1), ProcessMemory.jvmHeapPeakBytes(),
                    LatencyStats.NOISY_CV_THRESHOLD);
        } finally {
            loaded.forEach(Loaded::close);
        }
    }

    /**
     * Concurrent timing: in round {@code i} every model gets one phase, starting from model {@code i mod m}; in a
     * phase up to {@code concurrency} callers, released together, each run that model once on its shared session.
     * Rounds go on until {@code iterations} calls per model are timed (the last round may have fewer callers).
     * Each call's latency is kept; each phase's wall time (release to the last call's end) adds to the model's.
     */
    private static void timeConcurrently(List<Loaded> loaded, BenchmarkOptions options, long[][] nanos,
            long[] wallNanos, ProgressListener progress) throws OrtException {
        int callers = options.concurrency();
        int rounds = (options.iterations() + callers - 1) / callers;
        ExecutorService pool = Executors.newFixedThreadPool(callers, runnable -> {
            Thread thread = new Thread(runnable, "benchmark-caller");
            thread.setDaemon(true);
            return thread;
        });
        try {
            if (options.warmup() > 0) {
                // One untimed concurrent phase each, so arenas grow to what overlapping runs need before timing.
                for (Loaded model : loaded) {
                    phase(pool, model, callers);
                }
            }
            for (int round = 0; round < rounds; round++) {
                int calls = Math.min(callers, options.iterations() - round * callers);
                for (int k = 0; k < loaded.size(); k++) {
                    int m = (round + k) % loaded.size();
                    long start = System.nanoTime();
                    long[] latencies = phase(pool, loaded.get(m), calls);
                    wallNanos[m] += System.nanoTime() - start;
                    System.arraycopy(latencies, 0, nanos[m], round * callers, calls);
                }
                progress.progress("benchmark", Math.min(options.iterations(), (round + 1) * callers),
                        options.iterations());
            }
        } finally {
            pool.shutdownNow();
            awaitCallers(pool);
            progress.finish();
        }
    }

    /** Sessions are closed next: no caller may still be inside {@code run} (after a failure or an interrupt). */
    private static void awaitCallers(ExecutorService pool) {
        boolean interrupted = Thread.interrupted();
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // a run call cannot be interrupted; wait for it
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code calls} callers run the model once each, released together; returns each call's nanoseconds. */
    private static long[] phase(ExecutorService pool, Loaded model, int calls) throws OrtException {
        CountDownLatch ready = new CountDownLatch(calls);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> futures = new ArrayList<>(calls);
        for (int c = 0; c < calls; c++) {
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return model.timedRun();
            }));
        }
        long[] latencies = new long[calls];
        try {
            ready.await();
            go.countDown();
            for (int c = 0; c < calls; c++) {
                latencies[c] = futures.get(c).get();
            }
        } catch (InterruptedException e) {
            futures.forEach(f -> f.cancel(true));
            Thread.currentThread().interrupt();
            throw new CancellationException("benchmark interrupted");
        } catch (ExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof OrtException ort) {
                throw ort;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("benchmark caller failed", e.getCause());
        }
        return latencies;
    }

    private static Loaded load(Path model, BenchmarkOptions options) throws OrtException {
        OptionalLong rssBefore = ProcessMemory.residentBytes();
        long start = System.nanoTime();
        ModelSession session = ModelSession.open(model, options.intraOpThreads());
        double loadTimeMs = (System.nanoTime() - start) / 1e6;
        try {
            Map<String, OnnxTensor> inputs;
            int batch;
            if (options.givenInputs().isEmpty()) {
                Map<String, long[]> shapes = InputShapes.resolve(model, session.inputs(), options.shapes(),
                        options.batch(), options.seqLen());
                inputs = RandomInputs.create(session.environment(), session.inputs(), shapes, options.seed());
                long[] first = session.inputs().isEmpty() ? new long[0] : shapes.get(session.inputs().get(0).name());
                batch = first.length == 0 ? options.batch() : Math.toIntExact(first[0]);
            } else {
                InputFeeds feeds = InputFeeds.bind(session.inputs(), options.givenInputs(),
                        String.valueOf(model.getFileName()));
                batch = feeds.effectiveBatchSize(options.batch());
                InputBatch given = feeds.cyclicBatch(session.environment(), batch);
                inputs = given.tensors();
            }
            Loaded loaded = new Loaded(session, inputs, loadTimeMs, batch);
            for (int i = 0; i < options.warmup(); i++) {
                try {
                    loaded.timedRun();
                } catch (OrtException e) {
                    // The first run is where wrong sizes surface (a --shape or array ONNX Runtime cannot compute).
                    inputs.values().forEach(OnnxTensor::close);
                    throw new InvalidInputException("ONNX Runtime cannot run " + model.getFileName() + " on inputs "
                            + describe(inputs) + ": " + e.getMessage());
                }
            }
            OptionalLong rssAfter = ProcessMemory.residentBytes();
            loaded.rssDeltaBytes = rssBefore.isPresent() && rssAfter.isPresent()
                    ? rssAfter.getAsLong() - rssBefore.getAsLong() : -1;
            return loaded;
        } catch (OrtException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static String describe(Map<String, OnnxTensor> inputs) {
        return inputs.entrySet().stream().map(e -> e.getKey() + " " + java.util.Arrays.toString(
                e.getValue().getInfo().getShape())).collect(Collectors.joining(", ", "[", "]"));
    }

    /** A loaded model with its input tensors, reused by every run so that timing covers inference only. */
    private static final class Loaded implements AutoCloseable {

        private final ModelSession session;
        private final Map<String, OnnxTensor> inputs;
        private final double loadTimeMs;
        private final int batch;
        private final Set<String> outputNames;
        private long rssDeltaBytes = -1;

        Loaded(ModelSession session, Map<String, OnnxTensor> inputs, double loadTimeMs, int batch) {
            this.session = session;
            this.inputs = inputs;
            this.loadTimeMs = loadTimeMs;
            this.batch = batch;
            this.outputNames = session.outputs().stream().map(TensorSpec::name)
                    .collect(Collectors.toCollection(LinkedHashSet::new));
        }

        /** Runs once, all outputs computed (a serving process needs them all), and returns the nanoseconds. */
        long timedRun() throws OrtException {
            long start = System.nanoTime();
            OrtSession.Result result = session.run(inputs, outputNames);
            long elapsed = System.nanoTime() - start;
            result.close();
            return elapsed;
        }

        @Override
        public void close() {
            inputs.values().forEach(OnnxTensor::close);
            session.close();
        }
    }
}
