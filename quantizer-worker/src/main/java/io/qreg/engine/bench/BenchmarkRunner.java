package io.qreg.engine.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.qreg.engine.eval.InputBatch;
import io.qreg.engine.eval.InputFeeds;
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
import java.util.stream.Collectors;

/**
 * Loads each model, warms it up, then times all of them interleaved: in round {@code i} every model runs once,
 * starting from model {@code i mod m}. Interleaving gives each model the same share of the machine's good and bad
 * moments; rotating the start stops one model from always running right after another's cache-polluting run.
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
            try {
                for (int round = 0; round < options.iterations(); round++) {
                    for (int k = 0; k < loaded.size(); k++) {
                        int m = (round + k) % loaded.size();
                        nanos[m][round] = loaded.get(m).timedRun();
                    }
                    progress.progress("benchmark", round + 1, options.iterations());
                }
            } finally {
                progress.finish();
            }
            List<BenchmarkResult> results = new ArrayList<>();
            double baselineP50 = 0;
            for (int m = 0; m < loaded.size(); m++) {
                Loaded model = loaded.get(m);
                LatencyStats stats = LatencyStats.ofNanos(nanos[m]);
                if (m == 0) {
                    baselineP50 = stats.p50Ms();
                }
                double throughput = stats.meanMs() == 0 ? 0 : model.batch * 1000.0 / stats.meanMs();
                results.add(new BenchmarkResult(model.session.path().toString(), model.loadTimeMs, model.batch,
                        options.intraOpThreads(), options.warmup(), stats, throughput, baselineP50 / stats.p50Ms(),
                        model.rssDeltaBytes));
            }
            return new BenchmarkReport(results, runtimeVersion,
                    ProcessMemory.peakResidentBytes().orElse(-1), ProcessMemory.jvmHeapPeakBytes(),
                    LatencyStats.NOISY_CV_THRESHOLD);
        } finally {
            loaded.forEach(Loaded::close);
        }
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
                inputs = RandomInputs.create(session.environment(), session.inputs(), options.batch(),
                        options.seqLen(), options.seed());
                batch = session.inputs().isEmpty() ? options.batch()
                        : (int) RandomInputs.shape(session.inputs().get(0), options.batch(), options.seqLen())[0];
            } else {
                InputFeeds feeds = InputFeeds.bind(session.inputs(), options.givenInputs(),
                        String.valueOf(model.getFileName()));
                batch = feeds.effectiveBatchSize(options.batch());
                InputBatch given = feeds.cyclicBatch(session.environment(), batch);
                inputs = given.tensors();
            }
            Loaded loaded = new Loaded(session, inputs, loadTimeMs, batch);
            for (int i = 0; i < options.warmup(); i++) {
                loaded.timedRun();
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
