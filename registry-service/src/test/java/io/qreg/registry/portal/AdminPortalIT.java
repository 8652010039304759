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

import io.qreg.registry.policy.VariantMaker;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

/**
 * The admin pages' forms over real HTTP with a session and CSRF tokens, as a browser without
 * JavaScript posts them: what each form changes (read back through the API), what it refuses, and
 * that nobody but an ADMIN gets past the door.
 */
class AdminPortalIT extends IntegrationTest {

    /** A browser without JavaScript: a cookie jar, no redirects followed, forms posted url-encoded. */
    static final class Session {

        private static final Pattern CSRF = Pattern.compile(
                "name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"");

        private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        private final String base;
        private String username;

        Session(int port) {
            this.base = "http://localhost:" + port;
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        }

        /** Posts the fields (name, value, name, value, ...; a name may repeat) exactly as given. */
        HttpResponse<String> post(String path, String... fields) {
            StringBuilder form = new StringBuilder();
            for (int i = 0; i < fields.length; i += 2) {
                form.append(form.isEmpty() ? "" : "&").append(URLEncoder.encode(fields[i], StandardCharsets.UTF_8))
                        .append('=').append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
            }
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())));
        }

        /** Posts the form with the CSRF token of the page at {@code formPage}, as submitting it there would. */
        HttpResponse<String> submit(String formPage, String action, String... fields) {
            HttpResponse<String> page = get(formPage);
            assertThat(page.statusCode()).as(formPage).isEqualTo(200);
            String[] withToken = new String[fields.length + 2];
            withToken[0] = "_csrf";
            withToken[1] = csrf(page.body());
            System.arraycopy(fields, 0, withToken, 2, fields.length);
            return post(action, withToken);
        }

        void signIn(String username, String password) {
            HttpResponse<String> signedIn = submit("/login", "/login", "username", username, "password", password);
            assertThat(signedIn.statusCode()).isEqualTo(302);
            assertThat(signedIn.headers().firstValue("Location").orElse("")).doesNotContain("error");
            this.username = username;
        }

        /** Who signed in on this session (null before signing in). */
        String username() {
            return username;
        }

        static String csrf(String html) {
            Matcher m = CSRF.matcher(html);
            assertThat(m.find()).as("the page carries a CSRF token").isTrue();
            return m.group(1) != null ? m.group(1) : m.group(2);
        }

        private HttpResponse<String> send(HttpRequest.Builder request) {
            try {
                return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** A new person with the role, signed in on a session of their own. */
    private Session signedIn(String role) {
        Session session = new Session(port);
        session.signIn(FormSession.person(admin(), role), FormSession.PASSWORD);
        return session;
    }

    private void classificationModel(String name, String riskTier) {
        VariantMaker.ok(admin().post("/api/v1/models", Map.of("name", name, "task", "classification",
                "riskTier", riskTier)), 201);
    }

    private static String location(HttpResponse<String> response) {
        return response.headers().firstValue("Location").orElse("");
    }

    private List<String> auditActionsBy(String actor) {
        return jdbc.queryForList("select action from audit_event where actor = ? order by seq", String.class, actor);
    }

    @Test
    void nobodyButAnAdminGetsIntoAnyAdminPageOrForm() {
        for (String role : List.of("VIEWER", "ENGINEER", "APPROVER")) {
            Session session = signedIn(role);
            for (String page : List.of("/admin", "/admin/tokens", "/admin/policies", "/admin/hardware-targets")) {
                assertThat(session.get(page).statusCode()).as(role + " GET " + page).isEqualTo(403);
            }
            // A valid CSRF token from a page they may see, so only the role is left to refuse them.
            var posted = session.submit("/", "/admin/tokens", "name", "sneaky", "username", "admin");
            assertThat(posted.statusCode()).as(role + " POST /admin/tokens").isEqualTo(403);
            assertThat(posted.body()).contains("403").doesNotContain("value=\"qreg_");
            assertThat(session.submit("/", "/admin/users", "username", unique("x"), "roles", "ADMIN")
                    .statusCode()).isEqualTo(403);
        }
        assertThat(jdbc.queryForObject("select count(*) from api_token where name = 'sneaky'", Integer.class))
                .isZero();
    }

    @Test
    void anAdminCreatesAPersonAndTheFormRefusesWhatTheApiRefuses() {
        Session session = signedIn("ADMIN");
        String newcomer = unique("newcomer").toLowerCase();
        var created = session.submit("/admin", "/admin/users", "username", newcomer, "password",
                "a-long-enough-password", "roles", "ENGINEER", "roles", "APPROVER");
        assertThat(created.statusCode()).isEqualTo(302);
        assertThat(location(created)).endsWith("/admin");
        assertThat(session.get("/admin").body()).contains(newcomer, "Created " + newcomer);
        var me = admin().get("/api/v1/users").json();
        assertThat(me.toString()).contains(newcomer);

        Session theirs = new Session(port);
        theirs.signIn(newcomer, "a-long-enough-password");
        assertThat(theirs.get("/").statusCode()).isEqualTo(200);

        var shortPassword = session.submit("/admin", "/admin/users", "username", unique("short").toLowerCase(),
                "password", "short", "roles", "VIEWER");
        assertThat(shortPassword.statusCode()).isEqualTo(400);
        assertThat(shortPassword.body()).contains("at least 12 characters").contains("aria-invalid=\"true\"");

        var noRoles = session.submit("/admin", "/admin/users", "username", unique("none").toLowerCase());
        assertThat(noRoles.statusCode()).isEqualTo(400);
        assertThat(noRoles.body()).contains("roles must name at least one");

        var withoutCsrf = session.post("/admin/users", "username", unique("nocsrf").toLowerCase(), "roles", "VIEWER");
        assertThat(withoutCsrf.statusCode()).isEqualTo(403);
    }

    @Test
    void aTokenIsShownOnceWorksUntilRevokedAndRevokingIsAudited() {
        Session session = signedIn("ADMIN");
        String bot = FormSession.person(admin(), "ENGINEER");

        var issued = session.submit("/admin/tokens", "/admin/tokens", "name", "ci-pipeline", "username", bot,
                "expiresOn", "2099-12-31");
        assertThat(issued.statusCode()).isEqualTo(200);
        assertThat(issued.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        Matcher secret = Pattern.compile("value=\"(qreg_[^\"]+)\"").matcher(issued.body());
        assertThat(secret.find()).as("the token is on the result page").isTrue();
        String token = secret.group(1);
        assertThat(issued.body()).contains("shown only this once", "2099-12-31");

        HttpApi asBot = admin().as(token);
        assertThat(asBot.get("/api/v1/me").json().get("username").asString()).isEqualTo(bot);

        // Listed by name and prefix, never again in full.
        var list = session.get("/admin/tokens?user=" + bot);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("ci-pipeline").doesNotContain(token);
        String tokenId = admin().get("/api/v1/tokens?username=" + bot).json().get(0).get("id").asString();

        var revoked = session.submit("/admin/tokens?user=" + bot, "/admin/tokens/" + tokenId + "/revoke");
        assertThat(revoked.statusCode()).isEqualTo(302);
        assertThat(location(revoked)).contains("/admin/tokens").contains("user=" + bot);
        assertThat(session.get("/admin/tokens?user=" + bot).body()).contains("Revoked token", "revoked");
        assertThat(asBot.get("/api/v1/me").status()).isEqualTo(401);

        var past = session.submit("/admin/tokens", "/admin/tokens", "name", "too-late", "username", bot,
                "expiresOn", "2001-01-01");
        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(past.body()).contains("expiresAt must be in the future").doesNotContain("value=\"qreg_");
        assertThat(session.submit("/admin/tokens", "/admin/tokens/" + java.util.UUID.randomUUID() + "/revoke")
                .statusCode()).isEqualTo(404);

        assertThat(auditActionsBy(session.username())).contains("token.created", "token.revoked");
    }

    @Test
    void anAdminSetsAndClearsAModelsPolicyWithTheApisRules() {
        Session session = signedIn("ADMIN");
        String model = unique("policied");
        classificationModel(model, "high");
        String target = unique("edge");
        assertThat(admin().post("/api/v1/hardware-targets", Map.of("name", target)).status()).isEqualTo(201);

        var list = session.get("/admin/policies?q=" + model);
        assertThat(list.body()).contains(model, "risk tier defaults");
        var page = session.get("/admin/policies/" + model);
        assertThat(page.statusCode()).isEqualTo(200);
        // The high tier's defaults fill the form.
        assertThat(page.body()).contains("value=\"0.01\"", "value=\"0.75\"");

        var saved = session.submit("/admin/policies/" + model, "/admin/policies/" + model,
                "maxAccuracyDrop", "0.005", "minSpeedup", "1.2", "maxP99LatencyMs", "", "maxFlipRate", "0.01",
                "maxMeanKld", "0.05", "hardwareTargets", target);
        assertThat(saved.statusCode()).isEqualTo(302);
        var policy = admin().get("/api/v1/models/" + model + "/policy").json();
        assertThat(policy.get("source").asString()).isEqualTo("model");
        assertThat(policy.get("maxAccuracyDrop").asDouble()).isEqualTo(0.005);
        assertThat(policy.get("minSpeedup").asDouble()).isEqualTo(1.2);
        assertThat(policy.get("maxP99LatencyMs").isNull()).isTrue();
        assertThat(policy.get("hardwareTargets").get(0).asString()).isEqualTo(target);
        assertThat(policy.get("maxFlipRate").asDouble()).isEqualTo(0.01);
        assertThat(policy.get("maxMeanKld").asDouble()).isEqualTo(0.05);
        assertThat(session.get("/admin/policies/" + model).body()).contains("Saved the policy", session.username(),
                "Largest flip rate (classification)", "Largest mean KL divergence (language models)");

        var outOfRange = session.submit("/admin/policies/" + model, "/admin/policies/" + model,
                "maxAccuracyDrop", "2");
        assertThat(outOfRange.statusCode()).isEqualTo(400);
        assertThat(outOfRange.body()).contains("is a fraction between 0 and 1").contains("value=\"2\"");
        var notANumber = session.submit("/admin/policies/" + model, "/admin/policies/" + model,
                "minSpeedup", "fast");
        assertThat(notANumber.statusCode()).isEqualTo(400);
        assertThat(notANumber.body()).contains("minSpeedup must be a number");
        var flipOutOfRange = session.submit("/admin/policies/" + model, "/admin/policies/" + model,
                "maxFlipRate", "1.5");
        assertThat(flipOutOfRange.statusCode()).isEqualTo(400);
        assertThat(flipOutOfRange.body()).contains("maxFlipRate is a fraction between 0 and 1");
        assertThat(admin().get("/api/v1/models/" + model + "/policy").json().get("maxAccuracyDrop").asDouble())
                .as("a refused form changes nothing").isEqualTo(0.005);

        var cleared = session.submit("/admin/policies/" + model, "/admin/policies/" + model + "/clear");
        assertThat(cleared.statusCode()).isEqualTo(302);
        assertThat(admin().get("/api/v1/models/" + model + "/policy").json().get("source").asString())
                .isEqualTo("risk-tier-default");
        assertThat(session.get("/admin/policies/nonexistent-model").statusCode()).isEqualTo(404);
        assertThat(auditActionsBy(session.username())).contains("policy.set", "policy.cleared");
    }

    @Test
    void thePoliciesListPagesTwentyModelsAtATimeKeepingTheSearch() {
        Session session = signedIn("ADMIN");
        String prefix = unique("paged");
        for (int i = 0; i < 21; i++) {
            assertThat(admin().post("/api/v1/models", Map.of("name", prefix + "-" + (100 + i),
                    "task", "classification")).status()).isEqualTo(201);
        }

        String first = session.get("/admin/policies?q=" + prefix).body();
        assertThat(first).contains("aria-label=\"Model list pages\"", "Page 1 of 2", prefix + "-100")
                .doesNotContain(prefix + "-120", "rel=\"prev\"")
                .containsPattern("rel=\"next\"\\s+href=\"/admin/policies\\?q=" + prefix + "&amp;page=1\"");
        String second = session.get("/admin/policies?q=" + prefix + "&page=1").body();
        assertThat(second).contains("Page 2 of 2", prefix + "-120").doesNotContain(prefix + "-100", "rel=\"next\"")
                .containsPattern("rel=\"prev\"\\s+href=\"/admin/policies\\?q=" + prefix + "&amp;page=0\"");
    }

    @Test
    void anAdminCreatesAHardwareTargetThatJobsCanAskFor() {
        Session session = signedIn("ADMIN");
        String name = unique("vnni");
        var created = session.submit("/admin/hardware-targets", "/admin/hardware-targets", "name", name,
                "requiredFlags", "avx512f, avx512_vnni", "labels", "pool=edge\nrack=b2");
        assertThat(created.statusCode()).isEqualTo(302);
        var listed = VariantMaker.ok(admin().get("/api/v1/hardware-targets?size=200"), 200).json().toString();
        assertThat(listed).contains(name, "avx512_vnni", "\"rack\":\"b2\"");
        assertThat(session.get("/admin/hardware-targets").body()).contains(name, "pool=edge", "avx512f");

        var again = session.submit("/admin/hardware-targets", "/admin/hardware-targets", "name", name);
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(again.body()).contains("already exists");
        var badLabels = session.submit("/admin/hardware-targets", "/admin/hardware-targets", "name", unique("x"),
                "labels", "no-equals-sign");
        assertThat(badLabels.statusCode()).isEqualTo(400);
        assertThat(badLabels.body()).contains("key=value");
        assertThat(auditActionsBy(session.username())).contains("hardware-target.created");
    }

    @Test
    void savingThePolicyFormKeepsTheSliceThresholdsSetThroughTheApi() {
        Session session = signedIn("ADMIN");
        String model = unique("sliced");
        classificationModel(model, "standard");
        assertThat(admin().put("/api/v1/models/" + model + "/policy", Map.of("sliceThresholds",
                Map.of("rare-fraud", Map.of("maxAccuracyDrop", 0.005)))).status()).isEqualTo(200);

        var saved = session.submit("/admin/policies/" + model, "/admin/policies/" + model,
                "maxAccuracyDrop", "0.02", "minSpeedup", "", "maxP99LatencyMs", "");
        assertThat(saved.statusCode()).isEqualTo(302);
        var policy = admin().get("/api/v1/models/" + model + "/policy").json();
        assertThat(policy.get("maxAccuracyDrop").asDouble()).isEqualTo(0.02);
        assertThat(policy.get("sliceThresholds").get("rare-fraud").get("maxAccuracyDrop").asDouble())
                .isEqualTo(0.005);
    }
}
