package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

/** The portal shell over real HTTP with a session cookie, as a browser without JavaScript sees it. */
class PortalShellIT extends IntegrationTest {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"");

    private final HttpClient browser = HttpClient.newBuilder().cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private HttpResponse<String> get(String path) throws Exception {
        return browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postForm(String path, Map<String, String> fields) throws Exception {
        StringBuilder form = new StringBuilder();
        fields.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return browser.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        assertThat(m.find()).as("page carries a CSRF token").isTrue();
        return m.group(1) != null ? m.group(1) : m.group(2);
    }

    private void signIn(String username, String password) throws Exception {
        var login = get("/login");
        assertThat(login.statusCode()).isEqualTo(200);
        assertThat(login.body()).contains("name=\"username\"").contains("name=\"password\"");
        var posted = postForm("/login", Map.of("username", username, "password", password, "_csrf", csrf(login.body())));
        assertThat(posted.statusCode()).isEqualTo(302);
        assertThat(posted.headers().firstValue("Location").orElse("")).doesNotContain("error");
    }

    @Test
    void anonymousVisitorsAreSentToTheLoginPage() throws Exception {
        var models = get("/models");
        assertThat(models.statusCode()).isEqualTo(302);
        assertThat(models.headers().firstValue("Location").orElseThrow()).endsWith("/login");
    }

    @Test
    void loginWithoutCsrfTokenIsRefusedAndWrongPasswordShowsAnError() throws Exception {
        String user = createUser("nocsrf-" + System.nanoTime() % 100000, "VIEWER");
        var noToken = postForm("/login", Map.of("username", user, "password", "correct-horse-battery"));
        // Refused: 403, or sent back to sign in when there is no session to hold a token yet.
        assertThat(noToken.statusCode()).isIn(302, 403);
        assertThat(noToken.headers().firstValue("Location").orElse("/login")).contains("/login");
        assertThat(get("/models").statusCode()).as("still signed out").isEqualTo(302);

        var login = get("/login");
        var wrong = postForm("/login", Map.of("username", "nobody", "password", "wrong-password-1", "_csrf",
                csrf(login.body())));
        assertThat(wrong.headers().firstValue("Location").orElseThrow()).contains("/login?error");
        assertThat(get("/login?error").body()).contains("Invalid username or password");
    }

    @Test
    void engineerSeesModelsAndCheckpointsButNoAdminPages() throws Exception {
        String model = unique("portal");
        admin().post("/api/v1/models", Map.of("name", model, "task", "classification", "description", "shown in the portal"));
        admin().upload("/api/v1/models/" + model + "/checkpoints", Map.of("version", "1.0.0", "license", "MIT"),
                Fixtures.bytes("digits_mlp.onnx"), "m.onnx");
        String user = createUser("eng-" + System.nanoTime() % 100000, "ENGINEER");
        signIn(user, "correct-horse-battery");

        var dashboard = get("/");
        assertThat(dashboard.statusCode()).isEqualTo(200);
        assertThat(dashboard.body()).contains(user, "Checkpoints", "Recipes", "Datasets").doesNotContain("href=\"/admin\"");

        var list = get("/models?q=" + model);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("/models/" + model);

        var detail = get("/models/" + model);
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(detail.body()).contains("1.0.0").contains(Fixtures.sha256(Fixtures.bytes("digits_mlp.onnx")))
                .contains("input").contains("float32");

        assertThat(get("/admin").statusCode()).isEqualTo(403);

        var logout = postForm("/logout", Map.of("_csrf", csrf(dashboard.body())));
        assertThat(logout.statusCode()).isEqualTo(302);
        assertThat(get("/models").statusCode()).isEqualTo(302);
    }

    @Test
    void adminSeesTheAdminPageWithAccounts() throws Exception {
        String user = createUser("adm-" + System.nanoTime() % 100000, "ADMIN");
        signIn(user, "correct-horse-battery");
        assertThat(get("/").body()).contains("href=\"/admin\"");
        var admin = get("/admin");
        assertThat(admin.statusCode()).isEqualTo(200);
        assertThat(admin.body()).contains(user, "ADMIN", "token only");
    }

    @Test
    void auditPageListsEventsAndShowsTheChainsLatestVerification() throws Exception {
        String model = unique("audited-in-portal");
        admin().post("/api/v1/models", Map.of("name", model, "task", "other"));
        String user = createUser("aud-" + System.nanoTime() % 100000, "VIEWER");
        signIn(user, "correct-horse-battery");

        var page = get("/audit?subjectId=" + model);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("model.created", model).doesNotContain("just now, on request");
        // The action filter's example sits under the field, marked as one, not as a value-like placeholder.
        assertThat(page.body()).contains("aria-describedby=\"action-example\"",
                "For example <code>variant.approved</code>").doesNotContain("placeholder=\"model.created\"");
        assertThat(get("/audit?verify=true").body()).contains("Chain intact", "just now, on request");
        // The walk is remembered: the plain page now shows its outcome and time without walking again.
        assertThat(get("/audit").body()).contains("Chain intact", "the chain is checked every minute");
        // The newest signed tree head of the audit log's Merkle tree, and how much of the log it anchors.
        assertThat(get("/audit?verify=true").body())
                .containsPattern("Newest signed tree head: <strong>\\d+</strong> events")
                .contains("signed tree heads", "not yet anchored");
    }

    private String createUser(String username, String role) {
        var created = admin().post("/api/v1/users", Map.of("username", username, "password", "correct-horse-battery",
                "roles", List.of(role)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return username;
    }
}
