package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A worker daemon against a fresh {@link FakeRegistry}, with its log captured for assertions and failure messages.
 * Registered per test ({@code @RegisterExtension}), it stops the daemon and closes the registry after each one.
 */
final class DaemonUnderTest implements AfterEachCallback {

    final FakeRegistry registry;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private WorkerDaemon daemon;

    DaemonUnderTest() {
        try {
            registry = new FakeRegistry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What every daemon test runs with: named test-worker, a one-second long poll, events into {@link #log()}. */
    WorkerConfig config(Path workDir) {
        return config(registry.uri(), FakeRegistry.TOKEN, workDir);
    }

    /** The same with another address (e.g. one where nothing listens) or another token. */
    WorkerConfig config(URI registryUri, String token, Path workDir) {
        return WorkerConfig.of(registryUri, token).withName("test-worker").withWorkDir(workDir)
                .withClaimWait(Duration.ofSeconds(1)).withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8));
    }

    /** Serves {@code checkpoint} where the jobs of {@link DaemonJobs} download theirs; returns it. */
    byte[] serveCheckpoint(byte[] checkpoint) {
        registry.artifact(DaemonJobs.CHECKPOINT_URL, checkpoint);
        return checkpoint;
    }

    WorkerDaemon start(WorkerConfig config) {
        return started(WorkerDaemon.start(config));
    }

    /** Takes charge of a daemon started some other way, so it is stopped after the test. */
    WorkerDaemon started(WorkerDaemon daemon) {
        this.daemon = daemon;
        return daemon;
    }

    /** The next result the daemon posts, failing the test (with the log) if none comes within 45 s. */
    FakeRegistry.Posted awaitResult() throws InterruptedException {
        FakeRegistry.Posted posted = registry.results.poll(45, TimeUnit.SECONDS);
        assertThat(posted).as("a result within 45 s; log:%n%s", log()).isNotNull();
        return posted;
    }

    /** Waits up to 20 s for {@code text} in the log, then asserts it is there. */
    void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(log()).contains(text);
    }

    String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (daemon != null) {
            daemon.stop(Duration.ofSeconds(5));
        }
        registry.close();
    }
}
