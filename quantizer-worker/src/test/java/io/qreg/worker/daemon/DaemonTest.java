package io.qreg.worker.daemon;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

/**
 * What the daemon tests that run jobs share: a {@link DaemonUnderTest} and its {@link FakeRegistry} per test, a work
 * directory, and the checkpoint the jobs download, served before each test.
 */
abstract class DaemonTest {

    @TempDir
    Path workDir;

    @RegisterExtension
    final DaemonUnderTest worker = new DaemonUnderTest();
    final FakeRegistry registry = worker.registry;
    /** The served checkpoint's bytes (their SHA-256 is what the jobs expect). */
    byte[] checkpoint;

    @BeforeEach
    void serveTheCheckpoint() throws Exception {
        checkpoint = worker.serveCheckpoint(checkpointToServe());
    }

    /** The model the jobs quantize: the digits MLP unless a test class says otherwise. */
    byte[] checkpointToServe() throws Exception {
        return DaemonJobs.fixture("digits_mlp.onnx");
    }

    /**
     * Starts a daemon on an int8-dynamic job of the checkpoint, whose download takes {@code downloadMillis}, and
     * returns once the daemon claimed it: a job still running when the test stops the daemon.
     */
    WorkerDaemon startOnSlowJob(String jobId, int downloadMillis, WorkerConfig config) throws InterruptedException {
        registry.downloadDelayMillis = downloadMillis;
        registry.enqueue(DaemonJobs.quantizeJob(jobId, FakeRegistry.sha256(checkpoint), "int8-dynamic", null));
        WorkerDaemon daemon = worker.start(config);
        worker.awaitLog("claimed job " + jobId);
        return daemon;
    }
}
