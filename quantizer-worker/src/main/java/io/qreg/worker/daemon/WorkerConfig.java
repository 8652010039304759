package io.qreg.worker.daemon;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a worker daemon runs. Start from {@link #of(URI, String)} and adjust with the {@code with...} methods.
 *
 * @param registry            the registry's base URL, e.g. {@code http://localhost:8080}
 * @param token               an API token of an account with the WORKER role
 * @param name                the worker's display name (default: the host name)
 * @param labels              labels hardware targets can require, e.g. {@code pool=lab}
 * @param concurrency         jobs run at once, each in its own claim loop
 * @param workDir             where job scratch directories are made (each deleted after its job)
 * @param claimWait           the long-poll wait of a claim (0-60 s)
 * @param shutdownGrace       how long a stop lets running jobs finish before abandoning them
 * @param benchmarkIterations timed runs per model in BENCHMARK jobs
 * @param benchmarkWarmup     untimed runs per model before timing
 * @param measureSensitivity  QUANTIZE with calibration data: measure per-layer sensitivity for the report
 * @param maxBackoff          cap of the exponential backoff while the registry is unreachable
 * @param log                 where one-line events go (timestamped lines on stderr by default)
 */
public record WorkerConfig(URI registry, String token, String name, Map<String, String> labels, int concurrency,
        Path workDir, Duration claimWait, Duration shutdownGrace, int benchmarkIterations, int benchmarkWarmup,
        boolean measureSensitivity, Duration maxBackoff, WorkerLog log) {

    public static final Duration DEFAULT_CLAIM_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(20);
    public static final int DEFAULT_BENCHMARK_ITERATIONS = 50;
    public static final int DEFAULT_BENCHMARK_WARMUP = 5;

    public WorkerConfig {
        Objects.requireNonNull(registry, "registry");
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("a worker token is required");
        }
        if (name == null || name.isBlank()) {
            name = defaultName();
        }
        labels = Map.copyOf(labels == null ? Map.of() : labels);
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
        }
        if (workDir == null) {
            workDir = Path.of(System.getProperty("java.io.tmpdir"), "qreg-worker");
        }
        if (claimWait == null || claimWait.isNegative() || claimWait.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("claim wait must be 0-60 s, got " + claimWait);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdown grace must not be negative, got " + shutdownGrace);
        }
        if (benchmarkIterations < 1 || benchmarkWarmup < 0) {
            throw new IllegalArgumentException("benchmark iterations must be at least 1 and warm-up at least 0");
        }
        if (maxBackoff == null || maxBackoff.isNegative() || maxBackoff.isZero()) {
            maxBackoff = Duration.ofSeconds(60);
        }
        if (log == null) {
            log = WorkerLog.printingTo(System.err);
        }
    }

    public static WorkerConfig of(URI registry, String token) {
        return new WorkerConfig(registry, token, null, Map.of(), 1, null, DEFAULT_CLAIM_WAIT, DEFAULT_SHUTDOWN_GRACE,
                DEFAULT_BENCHMARK_ITERATIONS, DEFAULT_BENCHMARK_WARMUP, true, Duration.ofSeconds(60), null);
    }

    public WorkerConfig withName(String name) {
        return with(copy -> copy.name = name);
    }

    public WorkerConfig withLabels(Map<String, String> labels) {
        return with(copy -> copy.labels = labels);
    }

    public WorkerConfig withConcurrency(int concurrency) {
        return with(copy -> copy.concurrency = concurrency);
    }

    public WorkerConfig withWorkDir(Path workDir) {
        return with(copy -> copy.workDir = workDir);
    }

    public WorkerConfig withClaimWait(Duration claimWait) {
        return with(copy -> copy.claimWait = claimWait);
    }

    public WorkerConfig withShutdownGrace(Duration shutdownGrace) {
        return with(copy -> copy.shutdownGrace = shutdownGrace);
    }

    public WorkerConfig withBenchmark(int iterations, int warmup) {
        return with(copy -> {
            copy.benchmarkIterations = iterations;
            copy.benchmarkWarmup = warmup;
        });
    }

    public WorkerConfig withMeasureSensitivity(boolean measureSensitivity) {
        return with(copy -> copy.measureSensitivity = measureSensitivity);
    }

    public WorkerConfig withMaxBackoff(Duration maxBackoff) {
        return with(copy -> copy.maxBackoff = maxBackoff);
    }

    /** Timestamped lines on {@code out}, as {@link WorkerLog#printingTo(PrintStream)} writes them. */
    public WorkerConfig withLog(PrintStream out) {
        return withLog(WorkerLog.printingTo(out));
    }

    public WorkerConfig withLog(WorkerLog log) {
        return with(copy -> copy.log = log);
    }

    /** This config with {@code change} applied: every {@code with...} method is one such change, checked anew. */
    private WorkerConfig with(Consumer<Copy> change) {
        Copy copy = new Copy(this);
        change.accept(copy);
        return copy.build();
    }

    /** The components of a config, to be changed one at a time before building the next config. */
    private static final class Copy {
        private final URI registry;
        private final String token;
        private String name;
        private Map<String, String> labels;
        private int concurrency;
        private Path workDir;
        private Duration claimWait;
        private Duration shutdownGrace;
        private int benchmarkIterations;
        private int benchmarkWarmup;
        private boolean measureSensitivity;
        private Duration maxBackoff;
        private WorkerLog log;

        private Copy(WorkerConfig from) {
            registry = from.registry;
            token = from.token;
            name = from.name;
            labels = from.labels;
            concurrency = from.concurrency;
            workDir = from.workDir;
            claimWait = from.claimWait;
            shutdownGrace = from.shutdownGrace;
            benchmarkIterations = from.benchmarkIterations;
            benchmarkWarmup = from.benchmarkWarmup;
            measureSensitivity = from.measureSensitivity;
            maxBackoff = from.maxBackoff;
            log = from.log;
        }

        private WorkerConfig build() {
            return new WorkerConfig(registry, token, name, labels, concurrency, workDir, claimWait, shutdownGrace,
                    benchmarkIterations, benchmarkWarmup, measureSensitivity, maxBackoff, log);
        }
    }

    /** {@code token} is a secret: never print it. */
    @Override
    public String toString() {
        return "WorkerConfig[registry=" + registry + ", name=" + name + ", labels=" + labels + ", concurrency="
                + concurrency + ", workDir=" + workDir + "]";
    }

    private static String defaultName() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "worker";
            }
        }
        return host;
    }
}
