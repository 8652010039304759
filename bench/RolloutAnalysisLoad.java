import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canary analysis at scale (JDK only, loopback only), for bench/rollout-analysis.sh.
 *
 * setup: ROLLOUTS active rollouts, 20 per deployment (one per tier: each tier first gets checkpoint A
 * as its stable backend, then a rollout of checkpoint B at 5% whose analysis runs INTERVAL-second
 * intervals and needs more passes than the run lasts, so it stays active and is judged all along).
 * Writes the rollout ids, one a line.
 *
 * load: for SECONDS, every rollout gets one healthy health report per interval, spread evenly (a
 * gateway fleet reporting). With BATCH 1 each report is its own request
 * (POST /api/v1/rollouts/{id}/health); with BATCH n, n rollouts in the ids file's order (20 = one
 * deployment's tiers, as one gateway serves them) are reported on together
 * (POST /api/v1/rollouts/health). Then every rollout's view is read and each judged interval that
 * ended inside the measured window gives a lateness (judgedAt - end). Prints key=value lines.
 *
 * usage: java bench/RolloutAnalysisLoad.java setup URL ADMIN_TOKEN MODEL CHECKPOINT_A CHECKPOINT_B ROLLOUTS INTERVAL IDS_FILE
 *        java bench/RolloutAnalysisLoad.java load URL GATEWAY_TOKEN ADMIN_TOKEN IDS_FILE SECONDS INTERVAL BATCH
 */
public class RolloutAnalysisLoad {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern INTERVAL = Pattern.compile(
            "\"end\":\"([^\"]+)\",\"outcome\":\"([A-Z_]+)\".*?\"judgedAt\":\"([^\"]+)\"");
    static final int TIERS_PER_DEPLOYMENT = 20;

    public static void main(String[] args) throws Exception {
        URI check = URI.create(args[1]);
        if (!"127.0.0.1".equals(check.getHost()) && !"localhost".equals(check.getHost())) {
            throw new IllegalArgumentException("loopback only: " + args[1]);
        }
        switch (args[0]) {
            case "setup" -> setup(args[1], args[2], args[3], args[4], args[5], Integer.parseInt(args[6]),
                    Integer.parseInt(args[7]), Path.of(args[8]));
            case "load" -> load(args[1], args[2], args[3], Path.of(args[4]), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]));
            default -> throw new IllegalArgumentException("setup or load, not " + args[0]);
        }
    }

    static final String FIGURES = "\"errorRate\":0.001,\"p99LatencyMs\":42.0,\"qualityProxy\":0.98,\"requests\":500";

    /**
     * Reports on these rollouts: one with {@code Prefer: return=minimal} (204, no rollout in the
     * answer), several as one batch (200, every entry stored).
     */
    static void report(String base, String token, List<String> rollouts) throws Exception {
        String url;
        String json;
        if (rollouts.size() == 1) {
            url = base + "/api/v1/rollouts/" + rollouts.get(0) + "/health";
            json = "{" + FIGURES + "}";
        } else {
            url = base + "/api/v1/rollouts/health";
            json = rollouts.stream().map(id -> "{\"rolloutId\":\"" + id + "\"," + FIGURES + "}")
                    .collect(java.util.stream.Collectors.joining(",", "{\"reports\":[", "]}"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Prefer", "return=minimal")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        boolean stored = rollouts.size() == 1 ? r.statusCode() == 204
                : r.statusCode() == 200 && r.body().contains("\"stored\":" + rollouts.size() + ",");
        if (!stored) {
            throw new IllegalStateException("POST " + url + ": " + r.statusCode() + " " + r.body());
        }
    }

    static String call(String method, String url, String token, String json, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token);
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(method + " " + url + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static void setup(String base, String token, String model, String a, String b, int rollouts, int interval,
            Path out) throws Exception {
        int deployments = (rollouts + TIERS_PER_DEPLOYMENT - 1) / TIERS_PER_DEPLOYMENT;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<String>>> made = new ArrayList<>();
        for (int d = 0; d < deployments; d++) {
            int tiers = Math.min(TIERS_PER_DEPLOYMENT, rollouts - d * TIERS_PER_DEPLOYMENT);
            String name = "analysis-" + d;
            made.add(pool.submit(() -> {
                StringBuilder t = new StringBuilder("[");
                for (int i = 0; i < tiers; i++) {
                    t.append(i > 0 ? "," : "").append("{\"name\":\"t").append(i).append('"')
                            .append(i == tiers - 1 ? ",\"default\":true}" : "}");
                }
                // A sandbox environment: the checkpoints start without approvals (the judge never reads
                // them; an advance would, and with 1,000 passes needed none happens during the run).
                call("POST", base + "/api/v1/deployments", token, "{\"name\":\"" + name + "\",\"modelName\":\""
                        + model + "\",\"environments\":[{\"name\":\"production\",\"approvalRequired\":false}],"
                        + "\"tiers\":" + t + "]}", 201);
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < tiers; i++) {
                    String path = base + "/api/v1/deployments/" + name + "/rollouts";
                    call("POST", path, token, "{\"checkpointId\":\"" + a + "\",\"environment\":\"production\","
                            + "\"tier\":\"t" + i + "\",\"steps\":[100]}", 201);
                    String body = call("POST", path, token, "{\"checkpointId\":\"" + b + "\",\"environment\":"
                            + "\"production\",\"tier\":\"t" + i + "\",\"steps\":[5,100],\"analysis\":"
                            + "{\"intervalSeconds\":" + interval + ",\"successfulIntervals\":1000,"
                            + "\"autoAdvance\":true}}", 201);
                    Matcher m = ID.matcher(body);
                    m.find();
                    ids.add(m.group(1));
                }
                return ids;
            }));
        }
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : made) {
            all.addAll(f.get());
        }
        pool.shutdown();
        Files.write(out, all);
        System.out.println("rollouts=" + all.size());
        System.out.println("deployments=" + deployments);
    }

    static void load(String base, String gatewayToken, String adminToken, Path idsFile, int seconds, int interval,
            int batch) throws Exception {
        List<String> ids = Files.readAllLines(idsFile).stream().filter(s -> !s.isBlank()).toList();
        List<List<String>> groups = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += batch) {
            groups.add(ids.subList(i, Math.min(ids.size(), i + batch)));
        }
        Instant start = Instant.now();
        long spacingNanos = TimeUnit.SECONDS.toNanos(interval) / groups.size();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicLong sent = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long t0 = System.nanoTime();
        long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
        for (long n = 0; ; n++) {
            long due = t0 + n * spacingNanos;
            if (due >= end) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            List<String> group = groups.get((int) (n % groups.size()));
            pool.execute(() -> {
                try {
                    // As a gateway would: it does not read the rollouts back after reporting.
                    report(base, gatewayToken, group);
                    sent.addAndGet(group.size());
                } catch (Exception e) {
                    failed.addAndGet(group.size());
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(60, TimeUnit.SECONDS);
        Instant stop = Instant.now();
        // Let the judge finish the last intervals that ended inside the window.
        Thread.sleep(TimeUnit.SECONDS.toMillis(Math.min(interval, 10)) + 2000);
        // Steady state: intervals that ended after the first full interval and before the reports stopped.
        Instant from = start.plusSeconds(interval);
        List<Double> lateness = new ArrayList<>();
        long passed = 0;
        long noData = 0;
        long failedIntervals = 0;
        for (String id : ids) {
            String view = call("GET", base + "/api/v1/rollouts/" + id, adminToken, null, 200);
            int intervals = view.indexOf("\"intervals\":[");
            Matcher m = INTERVAL.matcher(view.substring(Math.max(0, intervals)));
            while (m.find()) {
                Instant ended = Instant.parse(m.group(1));
                if (ended.isBefore(from) || ended.isAfter(stop)) {
                    continue;
                }
                lateness.add(Duration.between(ended, Instant.parse(m.group(3))).toNanos() / 1e6);
                switch (m.group(2)) {
                    case "PASSED" -> passed++;
                    case "NO_DATA" -> noData++;
                    default -> failedIntervals++;
                }
            }
        }
        Collections.sort(lateness);
        long within = lateness.stream().filter(l -> l < interval * 1000.0).count();
        double expected = ids.size() * (Duration.between(from, stop).toMillis() / 1000.0) / interval;
        System.out.println("reports_sent=" + sent.get());
        System.out.println("reports_failed=" + failed.get());
        System.out.println("reports_per_second=" + String.format(Locale.ROOT, "%.1f",
                sent.get() / (Duration.between(start, stop).toMillis() / 1000.0)));
        System.out.println("intervals_judged=" + lateness.size());
        System.out.println("intervals_expected=" + String.format(Locale.ROOT, "%.0f", expected));
        System.out.println("intervals_passed=" + passed);
        System.out.println("intervals_no_data=" + noData);
        System.out.println("intervals_failed=" + failedIntervals);
        System.out.println("lateness_p50_ms=" + pct(lateness, 50));
        System.out.println("lateness_p99_ms=" + pct(lateness, 99));
        System.out.println("lateness_max_ms=" + (lateness.isEmpty() ? "n/a"
                : String.format(Locale.ROOT, "%.0f", lateness.get(lateness.size() - 1))));
        System.out.println("judged_within_interval=" + (lateness.isEmpty() ? "0"
                : String.format(Locale.ROOT, "%.4f", within / (double) lateness.size())));
    }

    static String pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return "n/a";
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return String.format(Locale.ROOT, "%.0f", sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))));
    }
}
