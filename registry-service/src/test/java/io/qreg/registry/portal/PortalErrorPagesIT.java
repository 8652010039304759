package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

/**
 * The portal's error pages over real HTTP with a session, as a browser without JavaScript sees them:
 * a refusal inside a page's controller (an unknown model or variant, a malformed job id) and the
 * security layer's 403 both render inside the normal layout, with the navigation and the signed-in
 * person, say "Forbidden" once, and offer "Sign in" only to someone signed out.
 */
class PortalErrorPagesIT extends IntegrationTest {

    private static final String HTML = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    @Test
    void anUnknownModelOrVariantPageKeepsTheNavigationAndTheSignedInPerson() throws Exception {
        String viewer = FormSession.person(admin(), "VIEWER");
        FormSession session = FormSession.signedIn(port, viewer);

        // Controllers that each had their own handler before PortalPageErrors covered the whole package.
        for (String path : new String[] {"/models/" + unique("no-such-model"), "/variants/" + UUID.randomUUID(),
                "/jobs/not-a-job-id", "/deployments/" + unique("no-such-deployment"),
                "/approvals/" + UUID.randomUUID()}) {
            assertNotFoundPage(session.get(path), viewer, path);
        }
    }

    @Test
    void aPageKeptInItsFeaturesPackageGetsTheSameErrorPage() throws Exception {
        String adminName = FormSession.person(admin(), "ADMIN");
        FormSession session = FormSession.signedIn(port, adminName);

        // The policy page lives in policy, the account page in security: @PortalPage, not the package, brings them
        // the portal's error page instead of the API's problem+json.
        for (String path : new String[] {"/admin/policies/" + unique("no-such-model"),
                "/admin/users/" + unique("no-such-user")}) {
            assertNotFoundPage(session.get(path), adminName, path);
        }
    }

    @Test
    void aForbiddenAdminPageSaysForbiddenOnceAndDoesNotOfferSignInToASignedInViewer() throws Exception {
        String viewer = FormSession.person(admin(), "VIEWER");
        FormSession session = FormSession.signedIn(port, viewer);

        HttpResponse<String> page = session.get("/admin");

        assertThat(page.statusCode()).isEqualTo(403);
        assertSignedInLayout(page.body(), viewer, "/admin");
        assertThat(occurrences(page.body(), "Forbidden")).as(page.body()).isEqualTo(1);
        assertThat(page.body()).contains("does not have a role that allows this");
    }

    @Test
    void signedOutANotFoundPageStillOffersSignInAndShowsNoNavigation() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://localhost:" + port + "/css/no-such-stylesheet.css")).header("Accept", HTML)
                .GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("Not Found", "href=\"/login", ">Sign in</a>", "class=\"qreg-header\"")
                .doesNotContain("qreg-user", "Sign out", "href=\"/jobs\"");
    }

    /** The portal's own 404 page, in the layout of the signed-in person, naming the reason once. */
    private static void assertNotFoundPage(HttpResponse<String> page, String username, String path) {
        assertThat(page.statusCode()).as(path).isEqualTo(404);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("text/html");
        assertSignedInLayout(page.body(), username, path);
        assertThat(occurrences(page.body(), "Not Found")).as(path + ": the reason, once").isEqualTo(1);
    }

    private static void assertSignedInLayout(String html, String username, String path) {
        assertThat(html).as(path + ": the shared header with the main navigation")
                .contains("class=\"qreg-header\"", "aria-label=\"Main\"", "href=\"/models\"", "href=\"/jobs\"",
                        "href=\"/audit\"", ">Sign out</button>");
        assertThat(html).as(path + ": the signed-in person").containsPattern(
                "<span class=\"qreg-user\">" + Pattern.quote(username) + "</span>");
        assertThat(html).as(path + ": no sign-in offer to someone signed in").doesNotContain(">Sign in</a>");
    }

    private static int occurrences(String html, String text) {
        Matcher m = Pattern.compile(Pattern.quote(text)).matcher(html);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
