package io.qreg.worker.cli;

import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** {@code worker}: the daemon that claims jobs from a registry and runs them until SIGTERM or SIGINT. */
public final class WorkerCommand implements ParsedCommand {

    static final String TOKEN_ENV = "QREG_WORKER_TOKEN";

    private static final Args.Spec SPEC = Args.spec()
            .option("--registry").option("--token").option("--labels").option("--concurrency").option("--name")
            .option("--work-dir").option("--grace").option("--benchmark-iterations").flag("--help");

    private final Function<String, String> env;

    public WorkerCommand() {
        this(System::getenv);
    }

    WorkerCommand(Function<String, String> env) {
        this.env = env;
    }

    @Override
    public String name() {
        return "worker";
    }

    @Override
    public String summary() {
        return "run as a worker: claim jobs from a registry, quantize, evaluate and benchmark";
    }

    @Override
    public String usage() {
        return """
                usage: worker --registry URL [--token TOKEN] [--labels k=v,...] [--concurrency 1] [--name NAME]
                              [--work-dir DIR] [--grace SECONDS] [--benchmark-iterations N]

                  --registry     the registry's base URL, e.g. http://localhost:8080
                  --token        an API token of a WORKER account (default: $%s)
                  --labels       labels hardware targets can require, e.g. pool=lab,gpu=none
                  --concurrency  jobs run at once (default 1)
                  --name         this worker's name in the fleet (default: the host name)
                  --work-dir     where job scratch directories go (default: the system temp dir)
                  --grace        on SIGTERM, seconds a running job gets to finish before it is abandoned
                                 (default %d; the registry re-queues an abandoned job when its lease expires)
                  --benchmark-iterations  timed runs per model in BENCHMARK jobs (default %d)

                Registers with the hardware profile of this machine, then long-polls for jobs and runs them,
                renewing each job's lease with heartbeats. Runs until SIGTERM or SIGINT; events are logged one per
                line on stderr. An unreachable registry is retried with backoff, never fatal.
                """.formatted(TOKEN_ENV, WorkerConfig.DEFAULT_SHUTDOWN_GRACE.toSeconds(),
                WorkerConfig.DEFAULT_BENCHMARK_ITERATIONS);
    }

    @Override
    public Args.Spec options() {
        return SPEC;
    }

    @Override
    public int run(Args args, CliContext context) throws Exception {
        if (!args.positionals().isEmpty()) {
            throw new UsageException("worker takes no positional arguments, got " + args.positionals());
        }
        WorkerConfig config = config(args, context);
        WorkerDaemon daemon = WorkerDaemon.start(config).stopOnShutdown();
        daemon.awaitTermination();
        return ExitCode.OK;
    }

    WorkerConfig config(Args args, CliContext context) {
        URI registry = registry(args.required("--registry"));
        String token = args.value("--token").orElseGet(() -> env.apply(TOKEN_ENV));
        if (token == null || token.isBlank()) {
            throw new UsageException("missing --token TOKEN (or the " + TOKEN_ENV + " environment variable)");
        }
        WorkerConfig config = WorkerConfig.of(registry, token)
                .withLabels(labels(args.value("--labels").orElse("")))
                .withConcurrency(args.intValue("--concurrency", 1, 1))
                .withShutdownGrace(Duration.ofSeconds(args.intValue("--grace",
                        (int) WorkerConfig.DEFAULT_SHUTDOWN_GRACE.toSeconds(), 0)))
                .withLog(context.err());
        if (args.value("--name").isPresent()) {
            config = config.withName(args.value("--name").get());
        }
        if (args.value("--benchmark-iterations").isPresent()) {
            config = config.withBenchmark(args.intValue("--benchmark-iterations", WorkerConfig.DEFAULT_BENCHMARK_ITERATIONS,
                    1), WorkerConfig.DEFAULT_BENCHMARK_WARMUP);
        }
        if (args.value("--work-dir").isPresent()) {
            config = config.withWorkDir(Path.of(args.value("--work-dir").get()));
        }
        return config;
    }

    private static URI registry(String value) {
        try {
            URI uri = new URI(value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new UsageException("--registry needs an http(s) URL such as http://localhost:8080, got '"
                        + value + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new UsageException("--registry: not a URL: " + e.getMessage());
        }
    }

    /** {@code k=v,k2=v2} as an ordered map; blank input is no labels. */
    static Map<String, String> labels(String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            String trimmed = pair.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int eq = trimmed.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--labels needs k=v pairs separated by commas, got '" + trimmed + "'");
            }
            String key = trimmed.substring(0, eq).trim();
            if (labels.put(key, trimmed.substring(eq + 1).trim()) != null) {
                throw new UsageException("--labels gives '" + key + "' twice");
            }
        }
        return labels;
    }
}
