package io.qreg.registry.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.qreg.registry.security.MachineAccounts;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.web.InProcessClients;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

import tools.jackson.databind.JsonNode;

/** A worker that stops says so, and the registry then gives its id nothing more and takes back what it ran. */
class WorkerDeregistrationIT extends JobTestSupport {

    @Autowired
    private MachineAccounts accounts;

    @Autowired
    private ConfigurableApplicationContext context;

    @Test
    void aDeregisteredWorkerIsRefusedWith409AndAJobSubmittedAfterwardsStaysQueued() {
        TestWorker worker = newWorker();
        JsonNode stopped = ok(worker.deregister(), 200).json();
        assertThat(stopped.get("workerId").asString()).isEqualTo(worker.id);
        assertThat(stopped.get("releasedJobIds")).isEmpty();

        HttpApi.Reply claim = worker.claim("0");
        assertThat(claim.status()).isEqualTo(409);
        assertThat(claim.isProblem()).isTrue();
        assertThat(claim.json().get("field").asString()).isEqualTo("workerId");
        assertThat(claim.json().get("detail").asString()).contains(worker.id, "deregistered at", "register again");

        String jobId = submitQuantize(userWith("ENGINEER"));
        assertThat(worker.claim("300ms").status()).isEqualTo(409);
        assertThat(worker.heartbeat(jobId, 1, 0.1, "sneaking in").status()).isEqualTo(409);
        assertThat(admin().get("/api/v1/jobs/" + jobId).json().get("status").asString()).isEqualTo("QUEUED");

        assertThat(fleetState(worker.id)).isEqualTo("stopped");
        ok(worker.deregister(), 200); // a repeat changes nothing
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'worker.deregistered'"
                + " and subject_id = ?", Integer.class, worker.id)).isEqualTo(1);
    }

    @Test
    void onlyTheRegisteringAccountOrAnAdminMayDeregisterAWorker() {
        TestWorker worker = newWorker();
        TestWorker stranger = newWorker();
        HttpApi.Reply refused = stranger.api.post("/api/v1/workers/" + worker.id + "/deregister", "");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(userWith("ENGINEER").post("/api/v1/workers/" + worker.id + "/deregister", "").status())
                .isEqualTo(403);
        assertThat(fleetState(worker.id)).isEqualTo("idle");

        ok(admin().post("/api/v1/workers/" + worker.id + "/deregister", ""), 200);
        assertThat(fleetState(worker.id)).isEqualTo("stopped");
        assertThat(admin().post("/api/v1/workers/" + UUID.randomUUID() + "/deregister", "").status()).isEqualTo(404);
    }

    @Test
    void aRunningJobOfADeregisteredWorkerIsQueuedAgainAtOnce() {
        String jobId = submitQuantize(userWith("ENGINEER"));
        TestWorker worker = newWorker();
        ok(worker.claim("0"), 200);
        ok(worker.heartbeat(jobId, 1, 0.4, "quantizing"), 200);

        JsonNode stopped = ok(worker.deregister(), 200).json();
        assertThat(stopped.get("releasedJobIds").get(0).asString()).isEqualTo(jobId);
        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("QUEUED");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("workerId").isNull()).isTrue();
        assertThat(job.get("error").asString()).contains(worker.id, "deregistered");

        HttpApi.Reply late = worker.heartbeat(jobId, 1, 0.5, "still here");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("field").asString()).isEqualTo("workerId");
        TestWorker next = newWorker();
        JsonNode claimed = ok(next.claim("0"), 200).json();
        assertThat(claimed.get("id").asString()).isEqualTo(jobId);
        assertThat(claimed.get("attempt").asInt()).isEqualTo(2);
    }

    @Test
    void theLastAttemptOfADeregisteredWorkerFailsTheJob() {
        String jobId = submitQuantize(userWith("ENGINEER"), "maxAttempts", 1);
        TestWorker worker = newWorker();
        ok(worker.claim("0"), 200);
        ok(worker.deregister(), 200);
        JsonNode job = admin().get("/api/v1/jobs/" + jobId).json();
        assertThat(job.get("status").asString()).isEqualTo("FAILED");
        assertThat(job.get("error").asString()).contains("deregistered", "the last of 1");
    }

    @Test
    void aClaimWaitingWhenItsWorkerDeregistersReturnsWithoutAJob() throws Exception {
        quantizeRequest(); // register the fixtures before timing anything
        TestWorker worker = newWorker();
        CompletableFuture<HttpApi.Reply> waiting = CompletableFuture.supplyAsync(() -> worker.claim("20s"));
        Thread.sleep(500);
        assertThat(waiting).isNotDone();
        ok(worker.deregister(), 200);
        HttpApi.Reply reply = waiting.get(5, TimeUnit.SECONDS);
        assertThat(reply.status()).isEqualTo(204);

        String jobId = submitQuantize(userWith("ENGINEER"));
        assertThat(admin().get("/api/v1/jobs/" + jobId).json().get("status").asString()).isEqualTo("QUEUED");
    }

    @Test
    void aStoppedWorkerDaemonDeregistersAndShowsAsStopped() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        WorkerDaemon daemon = startDaemon(log);
        try {
            String id = daemon.workerId().orElseThrow();
            assertThat(fleetState(id)).isIn("idle", "busy");
            daemon.stop(Duration.ofSeconds(5));
            assertThat(fleetState(id)).as(log.toString(StandardCharsets.UTF_8)).isEqualTo("stopped");
            assertThat(log.toString(StandardCharsets.UTF_8)).contains("deregistered worker " + id);
        } finally {
            daemon.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void theRegistrysInProcessWorkerDeregistersWhenTheContextCloses() throws Exception {
        EmbeddedWorker embedded = new EmbeddedWorker(accounts, new InProcessClients(), "true", "",
                scratch.resolve("embedded"));
        Instant before = Instant.now().minusSeconds(1);
        embedded.start(new ApplicationReadyEvent(new SpringApplication(), new String[0], context, Duration.ZERO));
        String id = null;
        for (int i = 0; i < 100 && id == null; i++) {
            id = jdbc.queryForList("select id::text from worker where name = ? and registered_at >= ?", String.class,
                    EmbeddedWorker.ACCOUNT, Timestamp.from(before)).stream().findFirst().orElse(null);
            Thread.sleep(100);
        }
        assertThat(id).as("the embedded worker registered").isNotNull();
        // The event only; closing the shared test context itself would end every later test class.
        embedded.stop(new ContextClosedEvent(context));
        assertThat(fleetState(id)).isEqualTo("stopped");
    }

    private String fleetState(String workerId) {
        for (JsonNode w : admin().get("/api/v1/workers?size=200").json().get("items")) {
            if (w.get("id").asString().equals(workerId)) {
                return w.get("state").asString();
            }
        }
        throw new AssertionError("worker " + workerId + " is not in the first 200 of the fleet");
    }
}
