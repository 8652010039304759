package io.qreg.registry.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plain HTTP/1.0 from a chosen loopback address (127.0.0.2 and up), so a test can be "another
 * client" to the registry, which sees each address as the servlet's remote address. Throttle tests
 * use fresh addresses and so never slow down the other tests, which all come from 127.0.0.1.
 */
public final class LoopbackClient {

    private static final AtomicInteger NEXT = new AtomicInteger((int) (System.nanoTime() % 50_000));
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"");

    private final String address;
    private final int port;
    private String sessionCookie;

    private LoopbackClient(String address, int port) {
        this.address = address;
        this.port = port;
    }

    /** A client on a loopback address no other client of this test run has used. */
    public static LoopbackClient fresh(int port) {
        int n = NEXT.getAndIncrement() % (250 * 250);
        return new LoopbackClient("127.0." + (1 + n / 250) + "." + (2 + n % 250), port);
    }

    public String address() {
        return address;
    }

    public record Reply(int status, Map<String, String> headers, String body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public tools.jackson.databind.JsonNode json() {
            return HttpApi.JSON.readTree(body);
        }

        public boolean isProblem() {
            return header("Content-Type") != null && header("Content-Type").startsWith("application/problem+json");
        }
    }

    /** {@code GET path} with HTTP Basic credentials. */
    public Reply getWithBasic(String path, String username, String password) {
        return withBasic("GET", path, username, password, null);
    }

    /** Any method with HTTP Basic credentials and, when given, a JSON body. */
    public Reply withBasic(String method, String path, String username, String password, String json) {
        String credentials = Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        return withAuthorization(method, path, "Basic " + credentials, json);
    }

    /** Any method with a bearer token and, when given, a JSON body. */
    public Reply withToken(String method, String path, String token, String json) {
        return withAuthorization(method, path, "Bearer " + token, json);
    }

    private Reply withAuthorization(String method, String path, String authorization, String json) {
        return send(method + " " + path + " HTTP/1.0\r\nAuthorization: " + authorization + "\r\n"
                + (json == null ? "" : "Content-Type: application/json\r\n"), json);
    }

    /** Signs in through the portal's form as a browser would: the sign-in page (session, CSRF token), then the post. */
    public Reply formLogin(String username, String password) {
        sessionCookie = null;
        Reply page = send("GET /login HTTP/1.0\r\n", null);
        Matcher csrf = CSRF.matcher(page.body());
        if (!csrf.find()) {
            throw new IllegalStateException("no CSRF token on the sign-in page: " + page.status());
        }
        String form = "username=" + encode(username) + "&password=" + encode(password) + "&_csrf="
                + encode(csrf.group(1));
        return send("POST /login HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\n",
                form);
    }

    private Reply send(String head, String body) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout(30_000);
            byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            StringBuilder request = new StringBuilder(head).append("Host: localhost:").append(port).append("\r\n");
            if (sessionCookie != null) {
                request.append("Cookie: ").append(sessionCookie).append("\r\n");
            }
            if (body != null) {
                request.append("Content-Length: ").append(content.length).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            return parse(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Reply parse(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        String text = all.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = text.substring(0, end < 0 ? text.length() : end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("set-cookie") && value.startsWith("JSESSIONID=")) {
                sessionCookie = value.substring(0, value.indexOf(';') < 0 ? value.length() : value.indexOf(';'));
            }
            headers.merge(name, value, (a, b) -> a + ", " + b);
        }
        return new Reply(status, headers, end < 0 ? "" : text.substring(end + 4));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
