import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop latency benchmark for one GET endpoint (JDK only):
 * {@code java bench/ConcurrentGet.java --url http://127.0.0.1:PORT/api/v1/models/NAME [--token T]
 * [--threads 50] [--warmup 2000] [--requests 20000] [--max-seconds 120]}.
 *
 * <p>{@code threads} client threads share one {@link HttpClient} (HTTP/1.1 keep-alive) and each
 * sends its next request as soon as the previous answer has been read (closed loop: no
 * coordinated-omission correction, which is fine for a saturation test at fixed concurrency).
 * The warm-up requests are sent the same way and not recorded. Both phases are bounded by a
 * request count and by a deadline. Only loopback URLs are accepted. Output: one {@code key=value}
 * per line (latencies in milliseconds); exit status 1 if any request failed or none completed.
 */
public final class ConcurrentGet {

    public static void main(String[] args) throws Exception {
        String url = null;
        String token = null;
        int threads = 50;
        int warmup = 2000;
        int requests = 20000;
        long maxSeconds = 120;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--url" -> { url = v; i++; }
                case "--token" -> { token = v; i++; }
                case "--threads" -> { threads = Integer.parseInt(v); i++; }
                case "--warmup" -> { warmup = Integer.parseInt(v); i++; }
                case "--requests" -> { requests = Integer.parseInt(v); i++; }
                case "--max-seconds" -> { maxSeconds = Long.parseLong(v); i++; }
                default -> usage("unknown argument " + a);
            }
        }
        if (url == null) {
            usage("--url is required");
        }
        if (threads < 1 || threads > 1000 || warmup < 0 || requests < 1 || requests > 10_000_000 || maxSeconds < 1) {
            usage("out-of-range argument");
        }
        URI uri = URI.create(url);
        String host = uri.getHost() == null ? "" : uri.getHost();
        boolean literal = host.equals("localhost") || host.matches("[0-9.]+") || host.startsWith("[");
        if (!literal || !InetAddress.getByName(host).isLoopbackAddress()) {
            usage("refusing a non-loopback host: " + host);
        }

        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        if (token != null && !token.isEmpty()) {
            builder.header("Authorization", "Bearer " + token);
        }
        HttpRequest request = builder
                .header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();

        // one probe, so a wrong URL or token fails fast with a readable message
        HttpResponse<byte[]> probe = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (probe.statusCode() != 200) {
            System.err.println("probe: HTTP " + probe.statusCode() + " " + new String(probe.body()));
            System.exit(1);
        }

        Phase warm = run(client, request, threads, warmup, maxSeconds, false);
        Phase measured = run(client, request, threads, requests, maxSeconds, true);

        long[] lat = Arrays.copyOf(measured.latencies, measured.completed.get());
        Arrays.sort(lat);
        double seconds = measured.wallNanos / 1e9;
        System.out.println("threads=" + threads);
        System.out.println("warmup_requests=" + warm.completed.get());
        System.out.println("requests=" + lat.length);
        System.out.println("errors=" + (measured.errors.get() + warm.errors.get()));
        System.out.println("body_bytes=" + probe.body().length);
        System.out.println("wall_s=" + fmt(seconds));
        System.out.println("rps=" + fmt(lat.length / seconds));
        if (lat.length > 0) {
            System.out.println("p50_ms=" + fmt(pct(lat, 50) / 1e6));
            System.out.println("p90_ms=" + fmt(pct(lat, 90) / 1e6));
            System.out.println("p99_ms=" + fmt(pct(lat, 99) / 1e6));
            System.out.println("max_ms=" + fmt(lat[lat.length - 1] / 1e6));
        }
        if (measured.timedOut || warm.timedOut) {
            System.out.println("timed_out=true");
        }
        if (measured.firstError != null) {
            System.err.println("first error: " + measured.firstError);
        }
        System.exit(lat.length == 0 || measured.errors.get() + warm.errors.get() > 0 ? 1 : 0);
    }

    private static final class Phase {
        final long[] latencies;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger completed = new AtomicInteger();
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        long wallNanos;
        boolean timedOut;

        Phase(int n, boolean record) {
            latencies = record ? new long[n] : null;
        }
    }

    private static Phase run(HttpClient client, HttpRequest request, int threads, int n, long maxSeconds,
            boolean record) throws InterruptedException {
        Phase phase = new Phase(n, record);
        if (n == 0) {
            return phase;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            pool.execute(() -> {
                while (phase.next.getAndIncrement() < n && System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        long dt = System.nanoTime() - t0;
                        if (r.statusCode() != 200) {
                            fail(phase, "HTTP " + r.statusCode());
                            continue;
                        }
                        int slot = phase.completed.getAndIncrement();
                        if (phase.latencies != null) {
                            phase.latencies[slot] = dt;
                        }
                    } catch (Exception e) {
                        fail(phase, e.toString());
                    }
                }
            });
        }
        pool.shutdown();
        if (!pool.awaitTermination(maxSeconds + 35, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
        phase.wallNanos = System.nanoTime() - start;
        phase.timedOut = System.nanoTime() >= deadline && phase.completed.get() + phase.errors.get() < n;
        return phase;
    }

    private static void fail(Phase phase, String message) {
        if (phase.errors.getAndIncrement() == 0) {
            phase.firstError = message;
        }
    }

    private static long pct(long[] sorted, double p) {
        // nearest-rank percentile
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static void usage(String message) {
        System.err.println(message);
        System.err.println("usage: java ConcurrentGet.java --url http://127.0.0.1:PORT/PATH [--token TOKEN]"
                + " [--threads 50] [--warmup 2000] [--requests 20000] [--max-seconds 120]");
        System.exit(2);
    }
}
