package io.qreg.worker.daemon;

import io.qreg.worker.protocol.HeartbeatReply;
import io.qreg.worker.protocol.HeartbeatRequest;
import io.qreg.worker.protocol.JobAssignment;
import io.qreg.worker.protocol.RegistrationReply;
import io.qreg.worker.protocol.RegistrationRequest;
import io.qreg.worker.json.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The worker side of the registry's HTTP protocol (docs/worker-protocol.md) over {@link java.net.http.HttpClient}:
 * every call carries the bearer token and has a timeout; error answers become {@link RegistryException}s carrying
 * the problem+json {@code detail}, a 409 on heartbeat or result a {@link LeaseLostException}.
 */
public class RegistryClient {

    /** Allowance on top of the long-poll wait before a claim counts as timed out. */
    static final Duration CLAIM_SLACK = Duration.ofSeconds(15);

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration callTimeout;
    private final Duration downloadTimeout;
    private final int resultAttempts;
    private final Duration resultBackoff;

    public RegistryClient(URI registry, String token) {
        this(registry, token, Duration.ofSeconds(30), Duration.ofMinutes(30), 5, Duration.ofSeconds(1));
    }

    /**
     * @param callTimeout     timeout of the small JSON calls (register, heartbeat); claims add their wait
     * @param downloadTimeout timeout until a download's or result upload's response headers arrive
     * @param resultAttempts  how often a result post is tried on I/O errors and 5xx answers (it is idempotent)
     * @param resultBackoff   pause before the first retry of a result post, doubled each time
     */
    public RegistryClient(URI registry, String token, Duration callTimeout, Duration downloadTimeout,
            int resultAttempts, Duration resultBackoff) {
        String text = registry.toString();
        this.base = URI.create(text.endsWith("/") ? text : text + "/");
        this.token = token;
        this.callTimeout = callTimeout;
        this.downloadTimeout = downloadTimeout;
        this.resultAttempts = Math.max(1, resultAttempts);
        this.resultBackoff = resultBackoff;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public URI baseUri() {
        return base;
    }

    /** {@code POST /api/v1/workers/register}. */
    public Registration register(String name, Map<String, String> labels, int concurrency, HardwareProfile profile)
            throws IOException, InterruptedException {
        Map<String, Object> body = new RegistrationRequest(name, labels, concurrency, profile.toMap()).toJson();
        HttpResponse<String> response = send(postJson("api/v1/workers/register", body, callTimeout));
        expect("register", response, 200, 201);
        RegistrationReply reply = RegistrationReply.fromJson(Json.parseObject(response.body()));
        Long lease = reply.leaseSeconds();
        BigDecimal heartbeat = reply.heartbeatSeconds();
        return new Registration(reply.id(), Duration.ofSeconds(lease == null ? 30 : lease),
                Duration.ofMillis(heartbeat == null ? 10_000 : Math.max(1, heartbeat.movePointRight(3).longValue())));
    }

    /** {@code POST /api/v1/workers/{id}/claim?wait=Ns}: a job, or empty when none arrived within the wait. */
    public Optional<JobAssignment> claim(String workerId, Duration wait) throws IOException, InterruptedException {
        long seconds = Math.max(0, Math.min(60, wait.toSeconds()));
        HttpRequest request = request("api/v1/workers/" + enc(workerId) + "/claim?wait=" + seconds + "s",
                Duration.ofSeconds(seconds).plus(CLAIM_SLACK))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response = send(request);
        if (response.statusCode() == 204) {
            return Optional.empty();
        }
        expect("claim", response, 200);
        return Optional.of(JobAssignment.fromJson(Json.parseObject(response.body())));
    }

    /**
     * {@code POST /api/v1/workers/{id}/deregister}: this worker id stops for good; the registry hands it no more
     * jobs and re-queues any it still runs at once.
     */
    public void deregister(String workerId) throws IOException, InterruptedException {
        HttpRequest request = request("api/v1/workers/" + enc(workerId) + "/deregister", callTimeout)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        expect("deregister", send(request), 200, 204);
    }

    /** {@code POST /api/v1/jobs/{id}/heartbeat}; a 409 is a {@link LeaseLostException}. */
    public HeartbeatReply heartbeat(String jobId, String workerId, int attempt, double progress, String message)
            throws IOException, InterruptedException {
        Map<String, Object> body = new HeartbeatRequest(workerId, attempt, progress, message).toJson();
        HttpResponse<String> response = send(postJson("api/v1/jobs/" + enc(jobId) + "/heartbeat", body, callTimeout));
        if (response.statusCode() == 409) {
            throw new LeaseLostException("heartbeat of job " + jobId, problemDetail(response));
        }
        expect("heartbeat", response, 200);
        Map<String, Object> json = response.body().isBlank() ? Map.of() : Json.parseObject(response.body());
        return HeartbeatReply.fromJson(json);
    }

    /**
     * {@code POST /api/v1/jobs/{id}/result} as multipart: part {@code result} (JSON) and, with a file, part
     * {@code file} streamed from disk. Retried with exponential backoff on I/O errors and 5xx answers (the registry
     * accepts one result per attempt and answers a repeat with the same body).
     *
     * @return the registry's JSON answer
     * @throws LeaseLostException on 409: the attempt no longer owns the job
     */
    public Map<String, Object> postResult(String jobId, Map<String, Object> result, Path file)
            throws IOException, InterruptedException {
        IOException last = null;
        Duration pause = resultBackoff;
        for (int attempt = 1; attempt <= resultAttempts; attempt++) {
            try {
                HttpResponse<String> response = send(resultRequest(jobId, result, file));
                if (response.statusCode() == 409) {
                    throw new LeaseLostException("result of job " + jobId, problemDetail(response));
                }
                if (response.statusCode() >= 500) {
                    last = new RegistryException("result of job " + jobId, response.statusCode(),
                            problemDetail(response));
                } else {
                    expect("result of job " + jobId, response, 200, 201);
                    return response.body().isBlank() ? Map.of() : Json.parseObject(response.body());
                }
            } catch (RegistryException e) {
                throw e;
            } catch (IOException e) {
                last = e;
            }
            if (attempt < resultAttempts) {
                Thread.sleep(pause.toMillis());
                pause = pause.multipliedBy(2);
            }
        }
        throw last;
    }

    private HttpRequest resultRequest(String jobId, Map<String, Object> result, Path file) throws IOException {
        String boundary = "qreg-" + UUID.randomUUID();
        StringBuilder head = new StringBuilder()
                .append("--").append(boundary).append("\r\n")
                .append("Content-Disposition: form-data; name=\"result\"\r\n")
                .append("Content-Type: application/json\r\n\r\n")
                .append(Json.write(result)).append("\r\n");
        HttpRequest.BodyPublisher body;
        if (file != null) {
            head.append("--").append(boundary).append("\r\n")
                    .append("Content-Disposition: form-data; name=\"file\"; filename=\"")
                    .append(String.valueOf(file.getFileName()).replace("\"", "")).append("\"\r\n")
                    .append("Content-Type: application/octet-stream\r\n\r\n");
            body = HttpRequest.BodyPublishers.concat(
                    HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8),
                    HttpRequest.BodyPublishers.ofFile(file),
                    HttpRequest.BodyPublishers.ofString("\r\n--" + boundary + "--\r\n", StandardCharsets.UTF_8));
        } else {
            head.append("--").append(boundary).append("--\r\n");
            body = HttpRequest.BodyPublishers.ofString(head.toString(), StandardCharsets.UTF_8);
        }
        return request("api/v1/jobs/" + enc(jobId) + "/result", downloadTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(body).build();
    }

    /** Told the bytes received so far after every buffer of a download; {@code total} is -1 when unknown. */
    public interface DownloadListener {
        void received(long bytes, long total);
    }

    /**
     * Downloads {@code contentUrl} (relative to the registry URL) to {@code target}, streaming through a temporary
     * file beside it and checking the sha256; the target appears only complete and verified.
     *
     * @param expectedSha256 lowercase hex, or null to skip the check (the ETag is then used if it looks like one)
     * @return the sha256 of the bytes received
     * @throws DigestMismatchException when the bytes do not match
     */
    public String download(String contentUrl, Path target, String expectedSha256)
            throws IOException, InterruptedException {
        return download(contentUrl, target, expectedSha256, (received, total) -> { });
    }

    /**
     * As {@link #download(String, Path, String)}, telling {@code progress} the bytes received so far after every
     * buffer, with the total from Content-Length (-1 when the response has none); the listener throttles.
     */
    public String download(String contentUrl, Path target, String expectedSha256, DownloadListener progress)
            throws IOException, InterruptedException {
        URI uri = base.resolve(contentUrl.startsWith("/") ? contentUrl.substring(1) : contentUrl);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(downloadTimeout)
                .header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download-", ".part");
        try {
            if (response.statusCode() != 200) {
                String text;
                try (InputStream in = response.body()) {
                    text = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                }
                throw new RegistryException("download " + contentUrl, response.statusCode(),
                        problemDetail(response.headers().firstValue("Content-Type").orElse(""), text));
            }
            MessageDigest sha = sha256();
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            long received = 0;
            try (InputStream in = response.body(); OutputStream out = Files.newOutputStream(temp)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException("download of " + contentUrl + " interrupted");
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    received += n;
                    progress.received(received, total);
                }
            }
            String actual = HexFormat.of().formatHex(sha.digest());
            String expected = expectedSha256;
            if (expected == null) {
                expected = response.headers().firstValue("ETag").map(e -> e.replace("W/", "").replace("\"", ""))
                        .filter(e -> e.matches("[0-9a-fA-F]{64}")).orElse(null);
            }
            if (expected != null && !expected.equalsIgnoreCase(actual)) {
                throw new DigestMismatchException(contentUrl, expected.toLowerCase(), actual);
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            return actual;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    private HttpRequest postJson(String path, Object body, Duration timeout) {
        return request(path, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
                .build();
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(base.resolve(path))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json, application/problem+json");
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static void expect(String call, HttpResponse<String> response, int... statuses) throws RegistryException {
        for (int status : statuses) {
            if (response.statusCode() == status) {
                return;
            }
        }
        throw new RegistryException(call, response.statusCode(), problemDetail(response));
    }

    private static String problemDetail(HttpResponse<String> response) {
        return problemDetail(response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    /** The {@code detail} (else {@code title}) of a problem+json body, else the start of the body text. */
    static String problemDetail(String contentType, String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        if (contentType.contains("json")) {
            try {
                Map<String, Object> problem = Json.parseObject(body);
                Object detail = problem.get("detail");
                if (detail == null) {
                    detail = problem.get("title");
                }
                if (detail != null) {
                    return String.valueOf(detail);
                }
            } catch (IllegalArgumentException notJson) {
                // fall through to the raw text
            }
        }
        String text = body.strip();
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    private static String enc(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
