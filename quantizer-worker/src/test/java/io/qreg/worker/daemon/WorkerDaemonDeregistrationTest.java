package io.qreg.worker.daemon;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A stopping daemon deregisters its worker id after its last result, so the registry gives that id no more jobs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerDaemonDeregistrationTest {

    @TempDir
    Path workDir;

    private FakeRegistry registry;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws Exception {
        registry = new FakeRegistry();
        registry.artifact("/api/v1/checkpoints/ckpt-1/content", WorkerDaemonTest.fixture("digits_mlp.onnx"));
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    @Test
    void stopDeregistersAfterTheLastResult() throws Exception {
        registry.downloadDelayMillis = 300;
        byte[] checkpoint = WorkerDaemonTest.fixture("digits_mlp.onnx");
        registry.enqueue(WorkerDaemonTest.quantizeJob("job-1", FakeRegistry.sha256(checkpoint), "int8-dynamic",
                null));
        WorkerDaemon daemon = start();
        awaitLog("claimed job job-1");

        daemon.stop(Duration.ofSeconds(20));
        assertThat(registry.results.poll(1, TimeUnit.SECONDS)).as(log()).isNotNull();
        assertThat(registry.deregisteredAfterResults).as(log()).containsExactly(1);
        assertThat(log()).contains("deregistered worker " + registry.workerId);
    }

    @Test
    void stopDeregistersAfterAbandoningAJobPastTheGracePeriod() throws Exception {
        registry.downloadDelayMillis = 3000;
        byte[] checkpoint = WorkerDaemonTest.fixture("digits_mlp.onnx");
        registry.enqueue(WorkerDaemonTest.quantizeJob("job-2", FakeRegistry.sha256(checkpoint), "int8-dynamic",
                null));
        WorkerDaemon daemon = start();
        awaitLog("claimed job job-2");

        daemon.stop(Duration.ofMillis(200));
        assertThat(registry.deregisteredAfterResults).as(log()).containsExactly(0);
        daemon.stop(Duration.ofMillis(200));
        assertThat(registry.deregisteredAfterResults).as("stopping twice deregisters once").hasSize(1);
    }

    @Test
    void aDaemonStoppedBeforeItRegisteredHasNothingToDeregister() {
        WorkerDaemon daemon = start(URI.create("http://127.0.0.1:1")); // nothing listens: registration keeps failing
        daemon.stop(Duration.ofMillis(200));
        assertThat(registry.deregisteredAfterResults).isEmpty();
        assertThat(log()).doesNotContain("deregister");
    }

    private WorkerDaemon start() {
        return start(registry.uri());
    }

    private WorkerDaemon start(URI registryUri) {
        return WorkerDaemon.start(WorkerConfig.of(registryUri, FakeRegistry.TOKEN).withName("test-worker")
                .withWorkDir(workDir).withClaimWait(Duration.ofSeconds(1))
                .withLog(new PrintStream(logBytes, true, StandardCharsets.UTF_8)));
    }

    private void awaitLog(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(log()).contains(text);
    }

    private String log() {
        return logBytes.toString(StandardCharsets.UTF_8);
    }
}
