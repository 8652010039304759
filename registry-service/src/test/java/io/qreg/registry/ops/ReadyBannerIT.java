package io.qreg.registry.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.RegistryProcess;
import io.qreg.worker.daemon.WorkerConfig;
import io.qreg.worker.daemon.WorkerDaemon;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A newcomer's first run, as a real process with the embedded PostgreSQL and the embedded worker: the ready
 * banner with the bound URL and the one-time password, a readable log, and a SIGTERM that stops everything within
 * 5 s. The steps share one first start (process starts are what this costs), in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadyBannerIT {

    private static final String WORKER_TOKEN = "qreg_test-worker-token-0123456789abcdef";
    /** The request log at DEBUG too, so that the test sees the embedded worker's requests were made. */
    private static final Map<String, String> ENV = Map.of("QREG_BOOTSTRAP_ADMIN_TOKEN", "",
            "QREG_EMBEDDED_WORKER", "true", "QREG_BOOTSTRAP_WORKER_TOKEN", WORKER_TOKEN,
            "LOGGING_LEVEL_IO_QREG_REQUESTS", "DEBUG");
    private static final Pattern REGISTERED = Pattern.compile(
            "(?m)^(\\S+ +INFO \\d+ --- \\[qreg-registry] \\[[^]]*] \\[[^]]*] io\\.qreg\\.worker +: registered with "
                    + "\\S+ as worker ([0-9a-f-]{36}) .*)$");

    @TempDir
    static Path dir;

    private Path data;
    private RegistryProcess registry;
    private String embeddedWorkerId;
    private String externalWorkerId;
    private String waitingWorkerId;

    @BeforeAll
    void firstStart() {
        data = dir.resolve("qreg-data");
        registry = RegistryProcess.start(data, "768m", ENV);
    }

    @AfterAll
    void stopWhatIsLeft() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void theFirstStartEndsWithTheBoundUrlAndAOneTimePasswordThatSignsInAsAdmin() throws Exception {
        String banner = awaitBanner(registry);
        assertThat(banner).contains("QReg is ready at " + registry.baseUrl() + "/", "username: admin",
                "Sign in at " + registry.baseUrl() + "/login");
        Matcher password = Pattern.compile("password: (\\S+)").matcher(banner);
        assertThat(password.find()).as(banner).isTrue();
        assertThat(registry.fullLog().split(Pattern.quote(password.group(1)), -1))
                .as("the password appears in the banner only").hasSize(2);

        HttpResponse<String> me = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(registry.baseUrl() + "/api/v1/me")).header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString(("admin:" + password.group(1)).getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(me.body()).contains("\"username\":\"admin\"");
    }

    @Test
    @Order(2)
    void theEmbeddedWorkerLogsInTheRegistrysFormatAndNamesTheCpuInWords() {
        String log = Eventually.eventually(Duration.ofSeconds(60), registry::fullLog,
                l -> REGISTERED.matcher(l).find(), "the embedded worker's registration line");
        Matcher registered = REGISTERED.matcher(log);
        assertThat(registered.find()).isTrue();
        embeddedWorkerId = registered.group(2);
        assertThat(registered.group(1)).contains("embedded-worker", "cores", "GiB memory", "ONNX Runtime")
                .containsPattern("(no )?vector instructions").doesNotContainPattern("flags \\d");
        assertThat(log).doesNotContain("qreg-worker[");
    }

    @Test
    @Order(3)
    void anExternalWorkersRequestsStayInTheInfoRequestLog() throws Exception {
        ByteArrayOutputStream workerLog = new ByteArrayOutputStream();
        WorkerDaemon external = WorkerDaemon.start(WorkerConfig.of(URI.create(registry.baseUrl()), WORKER_TOKEN)
                .withName("external-it").withWorkDir(dir.resolve("external")).withClaimWait(Duration.ofSeconds(1))
                .withLog(new PrintStream(workerLog, true, StandardCharsets.UTF_8)));
        try {
            assertThat(external.awaitRegistration(Duration.ofSeconds(30))).as(workerLog.toString()).isTrue();
            externalWorkerId = external.workerId().orElseThrow();
            Eventually.eventually(Duration.ofSeconds(30), registry::fullLog,
                    l -> !infoRequestLines(l, "/api/v1/workers/" + externalWorkerId + "/claim").isEmpty(),
                    "an INFO request line for the external worker's claim");
        } finally {
            external.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    @Order(4)
    void sigtermWithNothingRunningStopsWithinFiveSecondsPostgresIncluded() throws Exception {
        Path pidFile = data.resolve("postgres").resolve("postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        assertThat(ProcessHandle.of(postmaster)).as("the embedded PostgreSQL runs").isPresent();
        // Idle workers wait in long-poll claims (the embedded one's 30 s, this one's 60 s): the graceful shutdown
        // must not wait them out.
        WorkerDaemon waiting = WorkerDaemon.start(WorkerConfig.of(URI.create(registry.baseUrl()), WORKER_TOKEN)
                .withName("waiting-it").withWorkDir(dir.resolve("waiting")).withClaimWait(Duration.ofSeconds(60))
                .withMaxBackoff(Duration.ofSeconds(1)).withLog(new PrintStream(new ByteArrayOutputStream())));
        Duration took;
        try {
            assertThat(waiting.awaitRegistration(Duration.ofSeconds(30))).isTrue();
            waitingWorkerId = waiting.workerId().orElseThrow();
            Thread.sleep(1000); // its first claim is on its way and waits

            long started = System.nanoTime();
            registry.stop();
            took = Duration.ofNanos(System.nanoTime() - started);
        } finally {
            waiting.stop(Duration.ofSeconds(1));
        }

        assertThat(took).as(registry.tail()).isLessThan(Duration.ofSeconds(5));
        assertThat(isRunning(postmaster)).as("postmaster " + postmaster + " is running").isFalse();
        assertThat(pidFile).doesNotExist();
        assertThat(postgresProcessesOn(data)).isEmpty();
        assertThat(registry.fullLog()).contains("Embedded PostgreSQL on " + data.resolve("postgres")
                .toAbsolutePath().normalize() + " stopped").doesNotContain("shutdown still running");
    }

    @Test
    @Order(5)
    void theEmbeddedWorkersPollingLeavesNoInfoRequestLinesAndInitdbSaysNothing() {
        String log = registry.fullLog();
        assertThat(embeddedWorkerId).as("set by the worker-format step").isNotNull();
        String embedded = "/api/v1/workers/" + embeddedWorkerId + "/";
        assertThat(log).as("the embedded worker did claim: at DEBUG").containsPattern(
                "DEBUG \\d+ --- .* io\\.qreg\\.requests +: POST " + Pattern.quote(embedded) + "claim -> 204");
        assertThat(infoRequestLines(log, embedded)).isEmpty();
        assertThat(infoRequestLines(log, "/api/v1/me")).hasSize(1);
        assertThat(infoRequestLines(log, "/api/v1/workers/" + externalWorkerId + "/claim")).isNotEmpty();
        assertThat(infoRequestLines(log, "/api/v1/workers/register")).as("the two external workers'").hasSize(2);
        // The waiting worker's long poll was answered at the shutdown, not at the end of its 60 s; a claim it sent
        // after that answer (before its own stop) is refused with 503, so it backs off instead of spinning.
        List<String> waitingClaims = infoRequestLines(log, "/api/v1/workers/" + waitingWorkerId + "/claim");
        assertThat(waitingClaims).filteredOn(line -> line.contains("-> 204 ")).singleElement()
                .satisfies(line -> assertThat(Double.parseDouble(line.replaceAll(".* in ([0-9.]+) ms$", "$1")))
                        .isLessThan(30_000));
        assertThat(waitingClaims).allMatch(line -> line.contains("-> 204 ") || line.contains("-> 503 "));
        assertThat(log).doesNotContain("You can now start the database server", "creating subdirectories");
    }

    @Test
    @Order(6)
    void aSecondStartShowsTheUrlButNoPassword() throws Exception {
        registry = RegistryProcess.start(data, "768m", ENV);
        String banner = awaitBanner(registry);
        assertThat(banner).contains("QReg is ready at " + registry.baseUrl() + "/").doesNotContain("password");
        assertThat(registry.fullLog()).doesNotContain("password: ", "one-time password");
        registry.stop();
        registry = null;
    }

    /** The block from the ready line to its closing rule. */
    private static String awaitBanner(RegistryProcess process) {
        String log = Eventually.eventually(Duration.ofSeconds(90), process::fullLog,
                l -> l.contains("QReg is ready at ") && l.indexOf("=====", l.indexOf("QReg is ready at ")) > 0,
                "the ready banner");
        int start = log.indexOf("QReg is ready at ");
        return log.substring(start, log.indexOf("=====", start));
    }

    private static List<String> infoRequestLines(String log, String path) {
        return log.lines().filter(l -> l.contains(" INFO ") && l.contains("io.qreg.requests") && l.contains(path))
                .toList();
    }

    private static List<ProcessHandle> postgresProcessesOn(Path data) {
        String directory = data.resolve("postgres").toAbsolutePath().normalize().toString();
        return ProcessHandle.allProcesses().filter(p -> isRunning(p.pid()))
                .filter(p -> p.info().command().map(c -> c.endsWith("/postgres")).orElse(false))
                .filter(p -> p.info().arguments().map(List::of).orElse(List.of()).contains(directory)
                        || Optional.ofNullable(readCwd(p)).map(directory::equals).orElse(false))
                .toList();
    }

    /**
     * Whether the process exists and is not a zombie: the stopped postmaster stays one until its parent, gone with
     * the registry, is replaced by init as the one that reaps it.
     */
    private static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String state = stat.substring(stat.lastIndexOf(')') + 1).trim();
            return !state.startsWith("Z") && !state.startsWith("X");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String readCwd(ProcessHandle process) {
        try {
            return Files.readSymbolicLink(Path.of("/proc", Long.toString(process.pid()), "cwd")).toString();
        } catch (java.io.IOException | UnsupportedOperationException e) {
            // The process ended while the scan looked at it, or /proc hides its directory: it holds no data directory.
            return null;
        }
    }
}
