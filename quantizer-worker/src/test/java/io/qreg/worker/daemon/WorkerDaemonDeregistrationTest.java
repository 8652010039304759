package io.qreg.worker.daemon;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A stopping daemon deregisters its worker id after its last result, so the registry gives that id no more jobs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerDaemonDeregistrationTest extends DaemonTest {

    @Test
    void stopDeregistersAfterTheLastResult() throws Exception {
        WorkerDaemon daemon = startOnSlowJob("job-1", 300, worker.config(workDir));

        daemon.stop(Duration.ofSeconds(20));
        assertThat(registry.results.poll(1, TimeUnit.SECONDS)).as(log()).isNotNull();
        assertThat(registry.deregisteredAfterResults).as(log()).containsExactly(1);
        assertThat(log()).contains("deregistered worker " + registry.workerId);
    }

    @Test
    void stopDeregistersAfterAbandoningAJobPastTheGracePeriod() throws Exception {
        WorkerDaemon daemon = startOnSlowJob("job-2", 3000, worker.config(workDir));

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

    private WorkerDaemon start(URI registryUri) {
        return worker.start(worker.config(registryUri, FakeRegistry.TOKEN, workDir));
    }

    private String log() {
        return worker.log();
    }
}
