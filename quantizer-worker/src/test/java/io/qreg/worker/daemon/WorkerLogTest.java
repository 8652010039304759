package io.qreg.worker.daemon;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerLogTest {

    @TempDir
    Path workDir;

    @Test
    void aStandaloneWorkerPrintsTimestampedLinesNamingItself() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WorkerLog.printingTo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).event("gpu-1", "claimed job 7");
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z qreg-worker\\[gpu-1] claimed job 7\\R");
    }

    @Test
    void anEmbeddedWorkerHandsEveryEventToTheGivenLogAndPrintsNothingItself() throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        PrintStream stderr = System.err;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try (FakeRegistry registry = new FakeRegistry()) {
            WorkerDaemon daemon = WorkerDaemon.start(WorkerConfig.of(registry.uri(), FakeRegistry.TOKEN)
                    .withName("embedded").withWorkDir(workDir).withClaimWait(Duration.ofSeconds(1))
                    .withLog((name, message) -> events.add(name + ": " + message)));
            assertThat(daemon.awaitRegistration(Duration.ofSeconds(10))).isTrue();
            daemon.stop(Duration.ofSeconds(5));
        } finally {
            System.setErr(stderr);
        }
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("embedded: registered with ")
                .contains("cores", "GiB memory", "ONNX Runtime").doesNotContainPattern("flags \\d"));
        assertThat(events).contains("embedded: stopped");
        assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("qreg-worker[");
    }
}
