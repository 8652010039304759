package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A person in the portal without JavaScript, over real HTTP: a session cookie, the CSRF token read
 * from the page's forms, form posts (url-encoded and multipart), and server-sent events.
 */
final class FormSession {

    private static final Pattern CSRF = Pattern.compile(
            "name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"|<meta name=\"_csrf\" content=\"([^\"]+)\"");

    /** What a browser asks for when it loads a page or submits a form. */
    private static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private final String base;
    private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private String lastPage = "";

    FormSession(int port) {
        this.base = "http://localhost:" + port;
    }

    static final String PASSWORD = "correct-horse-battery";

    /** A person with a password and these roles, created by the admin API; returns the username. */
    static String person(io.qreg.registry.support.HttpApi admin, String... roles) {
        String username = "p-" + UUID.randomUUID().toString().substring(0, 8);
        var created = admin.post("/api/v1/users", Map.of("username", username, "password", PASSWORD,
                "roles", List.of(roles)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return username;
    }

    static FormSession signedIn(int port, String username) throws Exception {
        return signedIn(port, username, PASSWORD);
    }

    /** Signs in through the login form; fails the test when that does not work. */
    static FormSession signedIn(int port, String username, String password) throws Exception {
        FormSession s = new FormSession(port);
        HttpResponse<String> login = s.get("/login");
        HttpResponse<String> posted = s.postForm("/login", Map.of("username", username, "password", password,
                "_csrf", csrf(login.body())));
        assertThat(posted.statusCode()).isEqualTo(302);
        assertThat(posted.headers().firstValue("Location").orElse("")).doesNotContain("error");
        return s;
    }

    HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", HTML)
                .GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
            lastPage = r.body();
        }
        return r;
    }

    HttpResponse<byte[]> getBytes(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The CSRF token of the last page read (every signed-in page has one in its sign-out form). */
    String token() {
        return csrf(lastPage);
    }

    HttpResponse<String> postForm(String path, Map<String, String> fields) throws Exception {
        StringBuilder form = new StringBuilder();
        fields.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", HTML)
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A multipart form post as a browser sends it: text fields, then the file part. */
    HttpResponse<String> postMultipart(String path, Map<String, String> fields, byte[] file, String filename)
            throws Exception {
        String boundary = "----qreg" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        fields.forEach((k, v) -> body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                + k + "\"\r\n\r\n" + v + "\r\n").getBytes(StandardCharsets.UTF_8)));
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(file);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary).header("Accept", HTML)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Reads the event stream at {@code path} until an event's data satisfies {@code until}, the
     * stream ends, or the timeout passes; returns every event's data read.
     */
    List<String> events(String path, Predicate<String> until, Duration timeout) throws Exception {
        HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> data = new ArrayList<>();
        CompletableFuture<Void> reading = CompletableFuture.runAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("data:")) {
                        String event = line.substring(5).trim();
                        synchronized (data) {
                            data.add(event);
                        }
                        if (until.test(event)) {
                            return;
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            reading.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // the events read so far are the answer
        } finally {
            response.body().close();
        }
        synchronized (data) {
            return List.copyOf(data);
        }
    }

    static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("page carries a CSRF token").isTrue();
        return m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
    }
}
