import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The job queue under a fleet: N simulated workers long-poll one registry (JDK only, loopback only).
 *
 * Phase 1, throughput: JOBS jobs are queued, then the workers claim them as fast as they can (each
 * claim answered by a non-retryable FAILED result, so the queue, not the engine, is measured):
 * claims/s and the latency of claim calls that returned a job. With 50 workers in a closed loop that
 * latency is mostly queueing (Little's law: 50 callers / N per second), so phase 1b measures it at the
 * target rate instead: JOBS more jobs claimed on a fixed schedule of RATE claims/s across the fleet.
 * Phase 2, dispatch: with every worker waiting in a long poll, jobs are submitted one at a time
 * and the time from sending the submit to a worker holding the job is measured.
 *
 * Before both, WARMUP jobs (default 3 x JOBS) are drained unmeasured so the JIT compiler has settled.
 *
 * usage: java bench/ClaimThroughput.java URL ADMIN_TOKEN ONNX_FILE [workers=50] [jobs=1000] [dispatch=100]
 *        [registry pid, to report its CPU per claim-and-result cycle] [warmup=3*jobs] [rate=200]
 */
public class ClaimThroughput {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern ATTEMPT = Pattern.compile("\"attempt\"\\s*:\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        URI check = URI.create(base);
        if (!"127.0.0.1".equals(check.getHost()) && !"localhost".equals(check.getHost())) {
            throw new IllegalArgumentException("loopback only: " + base);
        }
        String admin = args[1];
        Path onnx = Path.of(args[2]);
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 50;
        int jobs = args.length > 4 ? Integer.parseInt(args[4]) : 1000;
        int dispatch = args.length > 5 ? Integer.parseInt(args[5]) : 100;
        long registryPid = args.length > 6 ? Long.parseLong(args[6]) : -1;
        int warmup = args.length > 7 ? Integer.parseInt(args[7]) : 3 * jobs;
        double rate = args.length > 8 ? Double.parseDouble(args[8]) : 200;

        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String model = "claims-" + suffix;
        post(base, admin, "/api/v1/models", "{\"name\":\"" + model + "\",\"task\":\"classification\"}", 201);
        String checkpoint = match(ID, upload(base, admin, "/api/v1/models/" + model + "/checkpoints",
                "{\"version\":\"1\",\"license\":\"MIT\"}", Files.readAllBytes(onnx)));
        post(base, admin, "/api/v1/recipes", "{\"name\":\"claims-" + suffix + "\",\"method\":\"int8-dynamic\"}", 201);
        post(base, admin, "/api/v1/users", "{\"username\":\"claims-" + suffix + "\",\"roles\":[\"WORKER\"]}", 201);
        String workerToken = match(TOKEN, post(base, admin, "/api/v1/tokens",
                "{\"name\":\"bench\",\"username\":\"claims-" + suffix + "\"}", 201));
        String job = "{\"type\":\"QUANTIZE\",\"checkpointId\":\"" + checkpoint + "\",\"recipe\":{\"name\":\"claims-"
                + suffix + "\",\"version\":1},\"maxAttempts\":1}";

        List<String> ids = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            ids.add(match(ID, post(base, workerToken, "/api/v1/workers/register", "{\"name\":\"sim-" + w
                    + "\",\"labels\":{},\"concurrency\":1,\"hardwareProfile\":{\"flags\":[],\"cores\":1}}", 201)));
        }

        // Phase 0, not measured: drains of WARMUP jobs, so both JVMs have compiled the claim and result paths
        // (a fleet's registry runs for days; in its first seconds the JIT compiler takes most of the CPU).
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        drain(base, admin, workerToken, job, ids, warmup, pool, null);
        // Phase 1: a full queue.
        List<Long> claimNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        double registryCpuBefore = cpuSeconds(registryPid);
        double clientCpuBefore = cpuSeconds(ProcessHandle.current().pid());
        double seconds = drain(base, admin, workerToken, job, ids, jobs, pool, claimNanos);
        double registryCpu = cpuSeconds(registryPid) - registryCpuBefore;
        double clientCpu = cpuSeconds(ProcessHandle.current().pid()) - clientCpuBefore;

        // Phase 1b: the same fleet paced at RATE claims/s in all (each worker's claims on a fixed schedule,
        // as if it ran a job between claims); latency is counted from the scheduled start, so a claim that
        // is late because an earlier one was slow is charged for the wait (no coordinated omission).
        List<Long> pacedNanos = paced(base, admin, workerToken, job, ids, jobs, rate, pool);

        // Phase 2: idle workers waiting in long polls; one job at a time.
        Map<String, Long> submittedAt = new ConcurrentHashMap<>();
        List<Long> dispatchNanos = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger dispatched = new AtomicInteger();
        CountDownLatch idle = new CountDownLatch(workers);
        for (String id : ids) {
            pool.submit(() -> {
                while (dispatched.get() < dispatch) {
                    HttpResponse<String> r = send(base, workerToken, "/api/v1/workers/" + id + "/claim?wait=5s", "");
                    if (r.statusCode() == 200) {
                        long now = System.nanoTime();
                        String jobId = match(ID, r.body());
                        Long at = submittedAt.get(jobId);
                        while (at == null) {
                            Thread.onSpinWait();
                            at = submittedAt.get(jobId);
                        }
                        dispatchNanos.add(now - at);
                        dispatched.incrementAndGet();
                        finish(base, workerToken, id, r.body());
                    }
                }
                idle.countDown();
                return null;
            });
        }
        Thread.sleep(1000); // every worker is now inside a long poll
        for (int i = 0; i < dispatch; i++) {
            // From the moment the submit is sent: a waiting worker may hold the job before the submit's reply arrives.
            long sent = System.nanoTime();
            String body = post(base, admin, "/api/v1/jobs", job, 202);
            submittedAt.put(match(ID, body), sent);
            Thread.sleep(100);
        }
        idle.await(2, TimeUnit.MINUTES);
        pool.shutdownNow();

        System.out.printf("workers=%d%njobs=%d%nseconds=%.2f%nclaims_per_s=%.1f%n", workers, jobs, seconds, jobs / seconds);
        print("claim", claimNanos);
        System.out.printf("paced_rate_per_s=%.0f%n", rate);
        print("paced_claim", pacedNanos);
        if (registryPid > 0) {
            System.out.printf("registry_cpu_ms_per_cycle=%.2f%nclient_cpu_ms_per_cycle=%.2f%n",
                    registryCpu * 1000 / jobs, clientCpu * 1000 / jobs);
        }
        print("dispatch", dispatchNanos);
    }

    /** Queues {@code jobs} jobs, then lets every worker claim and finish until all are taken; returns the drain's seconds. */
    static double drain(String base, String admin, String workerToken, String job, List<String> ids, int jobs,
            ExecutorService pool, List<Long> claimNanos) throws InterruptedException {
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        for (int i = 0; i < jobs; i++) {
            submitters.submit(() -> post(base, admin, "/api/v1/jobs", job, 202));
        }
        submitters.shutdown();
        submitters.awaitTermination(10, TimeUnit.MINUTES);
        AtomicInteger claimed = new AtomicInteger();
        CountDownLatch drained = new CountDownLatch(ids.size());
        long start = System.nanoTime();
        for (String id : ids) {
            pool.submit(() -> {
                try {
                    while (claimed.get() < jobs) {
                        long t0 = System.nanoTime();
                        HttpResponse<String> r = send(base, workerToken, "/api/v1/workers/" + id + "/claim?wait=1s", "");
                        long t1 = System.nanoTime();
                        if (r.statusCode() == 200) {
                            if (claimNanos != null) {
                                claimNanos.add(t1 - t0);
                            }
                            claimed.incrementAndGet();
                            finish(base, workerToken, id, r.body());
                        }
                    }
                } finally {
                    drained.countDown();
                }
                return null;
            });
        }
        drained.await(10, TimeUnit.MINUTES);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Queues {@code jobs} jobs, then claims them at {@code rate} per second spread evenly over the workers. */
    static List<Long> paced(String base, String admin, String workerToken, String job, List<String> ids, int jobs,
            double rate, ExecutorService pool) throws InterruptedException {
        ExecutorService submitters = Executors.newFixedThreadPool(4);
        for (int i = 0; i < jobs; i++) {
            submitters.submit(() -> post(base, admin, "/api/v1/jobs", job, 202));
        }
        submitters.shutdown();
        submitters.awaitTermination(10, TimeUnit.MINUTES);
        List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
        long period = Math.round(1e9 * ids.size() / rate);
        long start = System.nanoTime() + 100_000_000L;
        int perWorker = jobs / ids.size();
        CountDownLatch done = new CountDownLatch(ids.size());
        for (int w = 0; w < ids.size(); w++) {
            String id = ids.get(w);
            long offset = Math.round(1e9 * w / rate);
            pool.submit(() -> {
                try {
                    for (int k = 0; k < perWorker; k++) {
                        long scheduled = start + offset + k * period;
                        long wait = scheduled - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        HttpResponse<String> r = send(base, workerToken, "/api/v1/workers/" + id + "/claim?wait=1s", "");
                        long claimedAt = System.nanoTime();
                        if (r.statusCode() == 200) {
                            nanos.add(claimedAt - scheduled);
                            finish(base, workerToken, id, r.body());
                        }
                    }
                } finally {
                    done.countDown();
                }
                return null;
            });
        }
        done.await(10, TimeUnit.MINUTES);
        return nanos;
    }

    /** User plus system CPU seconds a process has used, from /proc (Linux); 0 when unknown. */
    static double cpuSeconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    static void finish(String base, String token, String workerId, String claimBody) {
        String jobId = match(ID, claimBody);
        String attempt = match(ATTEMPT, claimBody);
        String boundary = "b" + UUID.randomUUID();
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"result\"\r\n"
                + "Content-Type: application/json\r\n\r\n{\"workerId\":\"" + workerId + "\",\"attempt\":" + attempt
                + ",\"status\":\"FAILED\",\"error\":\"benchmark\",\"retryable\":false}\r\n--" + boundary + "--\r\n";
        HttpResponse<String> r = sendRaw(base, token, "/api/v1/jobs/" + jobId + "/result",
                "multipart/form-data; boundary=" + boundary, body.getBytes(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new IllegalStateException("result: " + r.statusCode() + " " + r.body());
        }
    }

    static void print(String name, List<Long> nanos) {
        double[] ms = nanos.stream().mapToDouble(n -> n / 1e6).sorted().toArray();
        System.out.printf("%s_count=%d%n%s_p50_ms=%.2f%n%s_p90_ms=%.2f%n%s_p99_ms=%.2f%n%s_max_ms=%.2f%n",
                name, ms.length, name, pct(ms, 50), name, pct(ms, 90), name, pct(ms, 99), name,
                ms.length == 0 ? 0 : ms[ms.length - 1]);
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    static String match(Pattern p, String s) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + s);
        }
        return m.group(1);
    }

    static String post(String base, String token, String path, String json, int expected) {
        HttpResponse<String> r = sendRaw(base, token, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
        if (r.statusCode() != expected) {
            throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }

    static HttpResponse<String> send(String base, String token, String path, String json) {
        return sendRaw(base, token, path, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static HttpResponse<String> sendRaw(String base, String token, String path, String type, byte[] body) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(90))
                    .header("Authorization", "Bearer " + token).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(path + ": " + e, e);
        }
    }

    static String upload(String base, String token, String path, String metadata, byte[] file) {
        String boundary = "b" + UUID.randomUUID();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n\r\n" + metadata
                + "\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = sendRaw(base, token, path, "multipart/form-data; boundary=" + boundary, out.toByteArray());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("upload: " + r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
