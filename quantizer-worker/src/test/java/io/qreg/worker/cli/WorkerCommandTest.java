package io.qreg.worker.cli;

import io.qreg.worker.daemon.WorkerConfig;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkerCommandTest {

    private static final CliContext CONTEXT = new CliContext(System.out, System.err, false);

    private static WorkerConfig config(Map<String, String> env, String... args) {
        WorkerCommand command = new WorkerCommand(env::get);
        Args parsed = Args.spec().option("--registry").option("--token").option("--labels").option("--concurrency")
                .option("--name").option("--work-dir").option("--grace").flag("--help").parse(List.of(args));
        return command.config(parsed, CONTEXT);
    }

    @Test
    void readsEveryOption() {
        WorkerConfig config = config(Map.of(), "--registry", "http://registry:8080", "--token", "t0k",
                "--labels", "pool=lab, gpu=none", "--concurrency", "2", "--name", "box-1", "--work-dir", "/tmp/w",
                "--grace", "5");
        assertThat(config.registry()).isEqualTo(URI.create("http://registry:8080"));
        assertThat(config.token()).isEqualTo("t0k");
        assertThat(config.labels()).isEqualTo(Map.of("pool", "lab", "gpu", "none"));
        assertThat(config.concurrency()).isEqualTo(2);
        assertThat(config.name()).isEqualTo("box-1");
        assertThat(config.workDir()).isEqualTo(Path.of("/tmp/w"));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.toString()).doesNotContain("t0k");
    }

    @Test
    void takesTheTokenFromTheEnvironmentWhenTheFlagIsAbsent() {
        WorkerConfig config = config(Map.of("QREG_WORKER_TOKEN", "from-env"), "--registry", "http://localhost:8080");
        assertThat(config.token()).isEqualTo("from-env");
        assertThat(config.concurrency()).isEqualTo(1);
        assertThat(config.labels()).isEmpty();
        assertThat(config.shutdownGrace()).isEqualTo(WorkerConfig.DEFAULT_SHUTDOWN_GRACE);
    }

    @Test
    void rejectsMissingTokenBadLabelsAndNonHttpRegistries() {
        assertThatThrownBy(() -> config(Map.of(), "--registry", "http://localhost:8080"))
                .isInstanceOf(UsageException.class).hasMessageContaining("QREG_WORKER_TOKEN");
        assertThatThrownBy(() -> config(Map.of(), "--registry", "http://x", "--token", "t", "--labels", "pool"))
                .isInstanceOf(UsageException.class).hasMessageContaining("k=v");
        assertThatThrownBy(() -> config(Map.of(), "--registry", "localhost:8080", "--token", "t"))
                .isInstanceOf(UsageException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> config(Map.of(), "--registry", "http://x", "--token", "t", "--concurrency", "0"))
                .isInstanceOf(UsageException.class).hasMessageContaining("at least 1");
    }

    @Test
    void isListedInHelpAndExplainsItself() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int help = QuantizerCli.run(new String[] {"help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(help).isEqualTo(ExitCode.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("worker");

        out.reset();
        int usage = QuantizerCli.run(new String[] {"worker", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(usage).isEqualTo(ExitCode.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--registry", "--token", "--labels", "--concurrency",
                "QREG_WORKER_TOKEN", "SIGTERM");
    }

    @Test
    void missingRegistryIsBadUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = QuantizerCli.run(new String[] {"worker", "--token", "t"}, System.out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(ExitCode.BAD_USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--registry");
    }
}
