package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.rollout.RolloutTestSupport;
import io.qreg.registry.support.HttpApi;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * The deployment pages over real HTTP with a session cookie, as a browser without JavaScript uses
 * them: reading, the start form, a move through its confirmation page, the routing revisions and a
 * diff, and the server refusing a viewer's posts.
 */
class DeploymentPortalIT extends RolloutTestSupport {

    private static final List<Map<String, Object>> TIERS = List.of(tier("premium", "precision", "fp32"),
            tier("standard", "default", true));
    private static final String PASSWORD = "correct-horse-battery";

    /** A signed-in browser without JavaScript: a cookie jar, forms posted with their CSRF token. */
    static final class Session {

        private static final Pattern CSRF = Pattern.compile(
                "name=\"_csrf\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"_csrf\"|name=\"_csrf\" content=\"([^\"]+)\"");

        private final String base;
        private final HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        private String csrf;

        Session(int port) {
            this.base = "http://localhost:" + port;
        }

        HttpResponse<String> get(String path) throws Exception {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Accept", "text/html").GET().build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = CSRF.matcher(r.body());
            if (m.find()) {
                csrf = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            }
            return r;
        }

        /** Posts a form with the token of the last page read, as the page's own form would. */
        HttpResponse<String> post(String path, Map<String, String> fields) throws Exception {
            Map<String, String> all = new LinkedHashMap<>(fields);
            all.putIfAbsent("_csrf", csrf);
            StringBuilder form = new StringBuilder();
            all.forEach((k, v) -> form.append(form.isEmpty() ? "" : "&").append(k).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return client.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        Session signIn(String username, String password) throws Exception {
            get("/login");
            HttpResponse<String> posted = post("/login", Map.of("username", username, "password", password));
            assertThat(posted.statusCode()).isEqualTo(302);
            assertThat(posted.headers().firstValue("Location").orElse("")).doesNotContain("error");
            return this;
        }

        /** Follows a redirect answer to the page it names. */
        HttpResponse<String> follow(HttpResponse<String> redirect) throws Exception {
            assertThat(redirect.statusCode()).as(redirect.body()).isEqualTo(302);
            URI location = URI.create(base).resolve(redirect.headers().firstValue("Location").orElseThrow());
            return get(location.getRawPath() + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery()));
        }
    }

    private Session as(String... roles) throws Exception {
        String username = unique("p");
        ok(admin().post("/api/v1/users", Map.of("username", username, "password", PASSWORD,
                "roles", List.of(roles))), 201);
        return new Session(port).signIn(username, PASSWORD);
    }

    /** A deployment whose production standard tier serves {@code stable}, with {@code candidate} approved for it. */
    private record Setup(String deployment, String stable, String candidate, String approvalId) {
    }

    private Setup setup() {
        Model model = model("allowed");
        String d = deployment(model, TIERS);
        String stable = variant(model, "int8-dynamic");
        String candidate = variant(model, "int8-dynamic");
        makeStable(d, stable, "production", "standard");
        String approval = approve(candidate, d, "production", "standard").toString();
        return new Setup(d, stable, candidate, approval);
    }

    /** The weights the page prints for the tier, in order: "95%", "5%". */
    private static List<String> printedWeights(String html, String tier) {
        int start = html.indexOf("id=\"tier-" + tier + "\"");
        int end = html.indexOf("</article>", start);
        Matcher m = Pattern.compile("class=\"qreg-weight-value\">(\\d+%)<").matcher(html.substring(start, end));
        List<String> weights = new java.util.ArrayList<>();
        while (m.find()) {
            weights.add(m.group(1));
        }
        return weights;
    }

    /** The tier's article on the deployment page. */
    private static String tierArticle(String html, String tier) {
        int start = html.indexOf("id=\"tier-" + tier + "\"");
        return html.substring(start, html.indexOf("</article>", start));
    }

    @Test
    void anUnservedDefaultTierSaysWhatTheDefaultTierDoesAndTheApprovalChoiceReadsInFull() throws Exception {
        Setup s = setup();
        String empty = deployment(model("allowed"), TIERS);
        Session engineer = as("ENGINEER");

        String unserved = engineer.get("/deployments/" + empty + "?environment=production").body();
        assertThat(tierArticle(unserved, "standard")).as("the default tier")
                .contains("As the default tier it takes all traffic no other tier matches")
                .doesNotContain("falls through to the default tier");
        assertThat(tierArticle(unserved, "premium")).contains("its traffic falls through to the default tier");

        String page = engineer.get("/deployments/" + s.deployment() + "?environment=production").body();
        Matcher option = Pattern.compile("<option value=\"" + s.approvalId() + "\"[^>]*>([^<]*)</option>")
                .matcher(page);
        assertThat(option.find()).as("the approval is offered").isTrue();
        assertThat(option.group(1)).as("a short label that says what the approval lets serve where")
                .startsWith("variant " + s.candidate().substring(0, 8))
                .endsWith("→ standard (approval " + s.approvalId().substring(0, 8) + ")")
                .hasSizeLessThan(90);
        assertThat(option.group()).as("the whole text in the option's title")
                .contains("title=\"Approval " + s.approvalId() + ": variant " + s.candidate().substring(0, 8))
                .contains("may serve tier standard of " + s.deployment() + " in production; signed by ");
        assertThat(page).containsPattern("<div class=\"col-12\">\\s*<label for=\"approvalId\"");
    }

    @Test
    void anEngineerStartsAndMovesARolloutThroughConfirmationPagesWithoutJavaScript() throws Exception {
        Setup s = setup();
        Session engineer = as("ENGINEER");
        String page = "/deployments/" + s.deployment() + "?environment=production";

        HttpResponse<String> before = engineer.get(page);
        assertThat(before.statusCode()).isEqualTo(200);
        assertThat(printedWeights(before.body(), "standard")).containsExactly("100%");
        assertThat(before.body()).contains("Start a rollout in").contains("value=\"" + s.approvalId() + "\"")
                .contains("Nothing serves this tier yet");

        HttpResponse<String> started = engineer.follow(engineer.post("/deployments/" + s.deployment() + "/rollouts",
                Map.of("environment", "production", "approvalId", s.approvalId(), "variantId", s.candidate(),
                        "tier", "standard", "steps", "5, 25, 100")));
        assertThat(started.body()).contains("Rollout started").contains("role=\"status\"");
        assertThat(printedWeights(started.body(), "standard")).containsExactly("95%", "5%");
        assertThat(started.body()).contains("style=\"width: 5%\"").contains("aria-current=\"step\"");
        String rolloutId = activeRollout(s.deployment());

        // No interval has passed the step's analysis: the page says so and offers only a forced advance.
        assertThat(started.body()).contains("Analysis:").contains("0 of 2 passing intervals")
                .contains("none judged yet").contains("Force: advance to 25%")
                .doesNotContain(rolloutId + "/advance\"");
        String advance = "/deployments/" + s.deployment() + "/rollouts/" + rolloutId + "/advance";
        HttpResponse<String> early = engineer.post(advance, Map.of());
        assertThat(early.statusCode()).isEqualTo(409);
        assertThat(early.body()).contains("cannot be advanced yet").contains("has 0 of 2 passing intervals");

        // Unconfirmed, the force-advance form answers a confirmation page that asks for a reason.
        String force = "/deployments/" + s.deployment() + "/rollouts/" + rolloutId + "/force-advance";
        HttpResponse<String> confirm = engineer.post(force, Map.of());
        assertThat(confirm.statusCode()).isEqualTo(200);
        assertThat(confirm.body()).contains("Force: advance to 25%").contains("Yes, force: advance to 25%")
                .contains("name=\"confirmed\" value=\"true\"").contains("Traffic split now").contains("75%")
                .contains("id=\"force-reason\" name=\"reason\"");
        assertThat(ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json().get("stepIndex").asInt()).isZero();
        HttpResponse<String> noReason = engineer.follow(engineer.post(force, Map.of("confirmed", "true")));
        assertThat(noReason.body()).contains("a forced advance needs a reason");
        assertThat(ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json().get("stepIndex").asInt()).isZero();

        HttpResponse<String> advanced = engineer.follow(engineer.post(force, Map.of("confirmed", "true",
                "reason", "gateway metrics reviewed by hand")));
        assertThat(advanced.body()).contains("Rollout advanced: the candidate serves 25% of tier standard.")
                .contains("forced").contains("5% → 25% by ").contains("gateway metrics reviewed by hand");
        assertThat(printedWeights(advanced.body(), "standard")).containsExactly("75%", "25%");
        assertThat(weights(routing(s.deployment(), "production"), "standard"))
                .containsExactly(Map.entry(s.stable(), 75), Map.entry(s.candidate(), 25));

        String base = "/deployments/" + s.deployment() + "/rollouts/" + rolloutId;
        assertThat(engineer.follow(engineer.post(base + "/pause", Map.of("confirmed", "true"))).body())
                .contains("Rollout paused at 25%.").contains(">Resume<").doesNotContain(rolloutId + "/advance\"")
                .doesNotContain(rolloutId + "/force-advance\"");
        // A stale form (advance while paused) explains itself instead of acting.
        HttpResponse<String> stale = engineer.post(advance, Map.of());
        assertThat(stale.statusCode()).isEqualTo(409);
        assertThat(stale.body()).contains("This move is no longer possible").contains("PAUSED");
        engineer.follow(engineer.post(base + "/resume", Map.of("confirmed", "true")));

        HttpResponse<String> rollbackConfirm = engineer.post(base + "/rollback", Map.of());
        assertThat(rollbackConfirm.body()).contains("Yes, roll back").contains("name=\"reason\"");
        HttpResponse<String> rolledBack = engineer.follow(engineer.post(base + "/rollback",
                Map.of("confirmed", "true", "reason", "latency looked off in the portal test")));
        assertThat(rolledBack.body()).contains("Rollout rolled back")
                .contains("latency looked off in the portal test").contains("ROLLED_BACK")
                // The history keeps the forced advance with its reason after the rollout is over.
                .contains("gateway metrics reviewed by hand");
        assertThat(printedWeights(rolledBack.body(), "standard")).containsExactly("100%");
    }

    @Test
    void aRefusedStartShowsTheReasonAndKeepsTheForm() throws Exception {
        Setup s = setup();
        Session engineer = as("ENGINEER");
        engineer.get("/deployments/" + s.deployment() + "?environment=production");
        HttpResponse<String> refused = engineer.follow(engineer.post("/deployments/" + s.deployment() + "/rollouts",
                Map.of("environment", "production", "approvalId", s.approvalId(), "variantId", s.candidate(),
                        "tier", "standard", "steps", "5, 50")));
        assertThat(refused.body()).contains("role=\"alert\"").contains("the last step must be 100")
                .contains("value=\"5, 50\"");
    }

    @Test
    void aViewerReadsThePagesButGetsNoFormsAndTheServerRefusesTheirPosts() throws Exception {
        Setup s = setup();
        String rolloutId = ok(startRollout(s.deployment(), s.candidate(), "production", "standard",
                List.of(5, 25, 100)), 201).json().get("id").asString();
        Session viewer = as("VIEWER");

        HttpResponse<String> page = viewer.get("/deployments/" + s.deployment() + "?environment=production");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(printedWeights(page.body(), "standard")).containsExactly("95%", "5%");
        assertThat(page.body()).doesNotContain("/rollouts/" + rolloutId + "/advance")
                .doesNotContain("Start a rollout").doesNotContain("qreg-move");

        for (String action : List.of("advance", "force-advance", "pause", "rollback")) {
            HttpResponse<String> refused = viewer.post("/deployments/" + s.deployment() + "/rollouts/" + rolloutId
                    + "/" + action, Map.of("confirmed", "true"));
            assertThat(refused.statusCode()).as(action).isEqualTo(403);
        }
        assertThat(viewer.post("/deployments/" + s.deployment() + "/rollouts", Map.of("environment", "production",
                "approvalId", s.approvalId(), "variantId", s.candidate(), "tier", "standard")).statusCode())
                .isEqualTo(403);
        JsonNode rollout = ok(engineer().get("/api/v1/rollouts/" + rolloutId), 200).json();
        assertThat(rollout.get("stepIndex").asInt()).isZero();
        assertThat(rollout.get("phase").asString()).isEqualTo("PROGRESSING");

        // Lists and missing things read as pages, not as the API's JSON.
        assertThat(viewer.get("/deployments").body()).contains(s.deployment()).contains("Active rollouts");
        HttpResponse<String> missing = viewer.get("/deployments/no-such-deployment");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(missing.body()).contains("no-such-deployment");
    }

    @Test
    void theRoutingPageListsRevisionsWithWhatChangedAndTheDiffMarksAddedAndRemovedLines() throws Exception {
        Setup s = setup();
        String rolloutId = ok(startRollout(s.deployment(), s.candidate(), "production", "standard",
                List.of(5, 25, 100)), 201).json().get("id").asString();
        ok(forceAdvance(rolloutId), 200);
        long current = routing(s.deployment(), "production").get("revision").asLong();
        HttpApi gateway = userWith("GATEWAY");
        ok(gateway.post("/api/v1/routing/" + s.deployment() + "/ack", Map.of("environment", "production",
                "revision", current, "gateway", "envoy-eu-1")), 200);
        ok(gateway.post("/api/v1/routing/" + s.deployment() + "/ack", Map.of("environment", "production",
                "revision", current - 1, "gateway", "envoy-us-2")), 200);
        Session viewer = as("VIEWER");
        String c = s.candidate().substring(0, 8);

        HttpResponse<String> revisions = viewer.get("/deployments/" + s.deployment() + "/routing?environment=production");
        assertThat(revisions.statusCode()).isEqualTo(200);
        assertThat(revisions.body())
                .contains("standard: stable v-" + s.stable().substring(0, 8) + " 95% → 75%, canary v-" + c
                        + " 5% → 25%")
                .contains("canary v-" + c + " added at 5%")
                .contains("first revision: no tier served yet")
                .contains("envoy-eu-1").contains("envoy-us-2").contains("1 behind")
                .contains("Current: revision <span>" + current + "</span>")
                .contains("&quot;weight&quot;: 25");

        HttpResponse<String> diff = viewer.get("/deployments/" + s.deployment() + "/routing/diff?environment=production"
                + "&from=" + (current - 1) + "&to=" + current);
        assertThat(diff.statusCode()).isEqualTo(200);
        String body = diff.body();
        assertThat(body).contains("qreg-diff-line qreg-diff-removed").contains("qreg-diff-line qreg-diff-added")
                .contains("<span class=\"visually-hidden\">added</span>")
                .contains("<span class=\"visually-hidden\">removed</span>")
                .contains("&quot;weight&quot;: 5</code>").contains("&quot;weight&quot;: 25</code>")
                .contains("&quot;stepIndex&quot;: 0").contains("&quot;stepIndex&quot;: 1")
                .contains("@@ -");
        // The revision number and time change in every revision, the tier above the canary not at all.
        assertThat(countOf(body, "qreg-diff-line qreg-diff-added")).isEqualTo(countOf(body,
                "qreg-diff-line qreg-diff-removed"));
        assertThat(body).contains("envoy-eu-1");

        assertThat(viewer.get("/deployments/" + s.deployment() + "/routing/diff?environment=production&from=1&to="
                + (current + 5)).statusCode()).isEqualTo(404);
        HttpResponse<String> same = viewer.get("/deployments/" + s.deployment()
                + "/routing/diff?environment=production&from=2&to=2");
        assertThat(same.body()).contains("The two revisions have the same routes.");
    }

    private static int countOf(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private String activeRollout(String deployment) {
        JsonNode rollout = routing(deployment, "production").get("rollout");
        return rollout.get("id").asString();
    }
}
