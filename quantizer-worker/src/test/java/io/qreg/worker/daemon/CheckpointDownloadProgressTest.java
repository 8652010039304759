package io.qreg.worker.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint download reports its bytes while it runs: a real HTTP server sends a 4 MiB checkpoint in
 * 64 KiB chunks with pauses between them (as a slow link would), and the job's progress moves within the
 * download's phase with "downloading checkpoint: x MB of 4.2 MB" before the last byte arrives.
 */
class CheckpointDownloadProgressTest {

    private static final int SIZE = 4 << 20;
    private static final int CHUNK = 64 << 10;
    private static final Pattern MESSAGE = Pattern.compile("downloading checkpoint: (\\d+\\.\\d) (kB|MB) of 4\\.2 MB");

    private final byte[] checkpoint = new byte[SIZE];
    private HttpServer server;

    @TempDir
    Path scratch;

    @BeforeEach
    void serveASlowCheckpoint() throws Exception {
        new Random(15).nextBytes(checkpoint);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/checkpoints/c1/content", exchange -> {
            exchange.sendResponseHeaders(200, SIZE); // a Content-Length, as the registry sends for a blob
            try (OutputStream out = exchange.getResponseBody()) {
                for (int at = 0; at < SIZE; at += CHUNK) {
                    out.write(checkpoint, at, CHUNK);
                    out.flush();
                    Thread.sleep(8);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private record Report(double fraction, String message) {
    }

    @Test
    void aSlowCheckpointDownloadReportsGrowingBytesWithinItsPhaseBeforeItEnds() throws Exception {
        RegistryClient client = new RegistryClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                "token", Duration.ofSeconds(5), Duration.ofSeconds(30), 1, Duration.ofMillis(10));
        JobControl control = new JobControl();
        List<Report> reports = new CopyOnWriteArrayList<>();
        DownloadProgress progress = new DownloadProgress("checkpoint", 0.00, 0.05, (fraction, message) -> {
            reports.add(new Report(fraction, message));
            control.report(fraction, message);
        });

        Path target = scratch.resolve("checkpoint.onnx");
        String sha = client.download("/api/v1/checkpoints/c1/content", target, sha256(checkpoint), progress);

        assertThat(sha).isEqualTo(sha256(checkpoint));
        assertThat(Files.readAllBytes(target)).isEqualTo(checkpoint);
        List<Report> midway = reports.stream().filter(r -> r.fraction() < 0.05).toList();
        assertThat(midway).as("reports before the download ended: %s", reports).hasSizeGreaterThan(1);
        double previousFraction = -1;
        double previousBytes = -1;
        for (Report r : reports) {
            Matcher m = MESSAGE.matcher(r.message());
            assertThat(m.matches()).as(r.message()).isTrue();
            double bytes = Double.parseDouble(m.group(1)) * ("MB".equals(m.group(2)) ? 1e6 : 1e3);
            // The message rounds to 0.1 MB, so two reports 64 KiB apart may read the same; never less.
            assertThat(bytes).as("bytes grow: %s", reports).isGreaterThanOrEqualTo(previousBytes);
            assertThat(r.fraction()).as("progress grows within the phase").isGreaterThan(previousFraction)
                    .isBetween(0.0, 0.05);
            previousBytes = bytes;
            previousFraction = r.fraction();
        }
        assertThat(midway.get(midway.size() - 1).message()).as("a report well into the download")
                .matches("downloading checkpoint: [1-4]\\.\\d MB of 4\\.2 MB");
        assertThat(midway.get(0).fraction()).as("the first report comes early in the download").isLessThan(0.025);
        assertThat(reports.get(reports.size() - 1).message()).isEqualTo("downloading checkpoint: 4.2 MB of 4.2 MB");
        assertThat(control.progress()).isEqualTo(0.05);
        assertThat(reports.size()).as("at most one report per 1 %% of the bytes, plus the time-based ones")
                .isLessThanOrEqualTo(101 + 8);
    }

    @Test
    void reportsAreThrottledToOnePercentOrAQuarterSecond() {
        AtomicLong now = new AtomicLong();
        List<String> reports = new CopyOnWriteArrayList<>();
        DownloadProgress known = new DownloadProgress("checkpoint", 0, 1, (f, m) -> reports.add(m), now::get);
        for (long bytes = 1000; bytes <= 1_000_000; bytes += 1000) {
            known.received(bytes, 1_000_000); // a thousand buffers in the same instant
        }
        assertThat(reports).as("every 1 %% (10 kB) of a 1 MB download, not every buffer").hasSize(100)
                .endsWith("downloading checkpoint: 1.0 MB of 1.0 MB");

        reports.clear();
        DownloadProgress unknown = new DownloadProgress("variant", 0, 1, (f, m) -> reports.add(m), now::get);
        for (int i = 1; i <= 20; i++) {
            now.addAndGet(50_000_000L); // a buffer every 50 ms, no Content-Length
            unknown.received(i * 1000L, -1);
        }
        assertThat(reports).as("one report per 250 ms when the size is unknown").hasSize(4)
                .first().isEqualTo("downloading variant: 5.0 kB");
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
