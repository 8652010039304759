package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import lombok.AccessLevel;
import lombok.RequiredArgsConstructor;

/**
 * The registry as an operator runs it: a separate JVM (with its own heap cap), configured only
 * through QREG_* environment variables, stopped gently or killed outright.
 */
@RequiredArgsConstructor(access = AccessLevel.PRIVATE)
public final class RegistryProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path log;

    /** A registry that runs no jobs itself: its JVM is tuned for a short life of start-up and requests. */
    public static RegistryProcess start(Path dataDir, String maxHeap, Map<String, String> extraEnv) {
        return start(dataDir, maxHeap, extraEnv, false);
    }

    /** A registry whose embedded worker runs jobs: its JVM keeps the full JIT for the quantization code. */
    public static RegistryProcess startForJobs(Path dataDir, String maxHeap, Map<String, String> extraEnv) {
        return start(dataDir, maxHeap, extraEnv, true);
    }

    private static RegistryProcess start(Path dataDir, String maxHeap, Map<String, String> extraEnv,
            boolean runsJobs) {
        int port = freePort();
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx" + maxHeap);
        if (!runsJobs) {
            // Such a registry spends most of its short life starting up, where C2 compilations and parallel GC
            // threads cost about half of its CPU time (bench/registry-start.sh, docs/benchmarks/test-suite.md), on
            // a 2-core machine other test JVMs share: it gets the test JVMs' own options (test.jvm in the pom).
            for (String option : System.getProperty("qreg.test.jvm", "").trim().split("\\s+")) {
                if (!option.isEmpty()) {
                    command.add(option);
                }
            }
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("io.qreg.registry.QregApplication");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().put("QREG_DATA_DIR", dataDir.toString());
        builder.environment().put("QREG_PORT", Integer.toString(port));
        builder.environment().put("QREG_BOOTSTRAP_ADMIN_TOKEN", IntegrationTest.ADMIN_TOKEN);
        builder.environment().put("QREG_EMBEDDED_WORKER", "false");
        builder.environment().remove("QREG_DB_URL");
        builder.environment().putAll(extraEnv);
        Path log = dataDir.resolveSibling(dataDir.getFileName() + "-registry-" + System.nanoTime() + ".log");
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        try {
            RegistryProcess registry = new RegistryProcess(builder.start(), port, log);
            registry.awaitHealthy(Duration.ofSeconds(120));
            return registry;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpApi api(String token) {
        return new HttpApi(baseUrl(), token);
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM: Spring shuts down gracefully and stops the embedded database. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** SIGKILL: no shutdown hook runs; the embedded PostgreSQL is orphaned. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }

    private void awaitHealthy(Duration timeout) {
        HttpClient client = HttpClient.newHttpClient();
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("registry exited with " + process.exitValue() + "; log: " + tail());
            }
            try {
                HttpResponse<String> health = client.send(HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200 && health.body().contains("\"UP\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("registry not healthy within " + timeout + "; log: " + tail());
    }

    /** Everything the registry has logged so far. */
    public String fullLog() {
        try {
            return java.nio.file.Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String tail() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
