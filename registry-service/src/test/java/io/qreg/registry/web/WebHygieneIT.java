package io.qreg.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.Fixtures;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 7 over real HTTP: cookies, security headers, container-level refusals under /api/ as
 * problem+json, readable explanations of unreadable bodies, list limits, bounded quotes of input, an
 * empty 416, and token prefixes.
 */
class WebHygieneIT extends IntegrationTest {

    @Test
    void theSessionCookieIsSameSiteLaxHttpOnlyAndNotSecureOverPlainHttp() {
        String cookie = sessionCookie(anonymous().send(anonymous().request("/login").GET()));
        assertThat(cookie).contains("SameSite=Lax").contains("HttpOnly").doesNotContain("Secure");
    }

    @Test
    void theSessionCookieIsSecureWhenTheRequestCameOverTlsThroughAProxy() {
        String cookie = sessionCookie(anonymous().send(anonymous().request("/login")
                .header("X-Forwarded-Proto", "https").GET()));
        assertThat(cookie).contains("SameSite=Lax").contains("Secure");
    }

    @Test
    void portalPagesSendAContentSecurityPolicyAndAReferrerPolicy() {
        HttpApi.Reply login = anonymous().get("/login");
        assertThat(login.status()).isEqualTo(200);
        String csp = login.header("Content-Security-Policy");
        assertThat(csp).startsWith("default-src 'self'").contains("script-src 'self'", "object-src 'none'",
                "frame-ancestors 'none'").doesNotContain("unsafe-eval").doesNotContain("script-src 'self' 'unsafe");
        assertThat(login.header("Referrer-Policy")).isEqualTo("same-origin");
        assertThat(admin().get("/models").header("Content-Security-Policy")).isEqualTo(csp);
    }

    @Test
    void aTooLargeHeaderUnderApiIsAnsweredWithProblemJsonNotTomcatsPage() {
        RawHttp.Response reply = RawHttp.send(port, "GET /api/v1/models HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Padding: " + "a".repeat(64 * 1024) + "\r\nConnection: close\r\n\r\n");
        assertThat(reply.status()).isIn(400, 431);
        assertThat(reply.header("Content-Type")).startsWith("application/problem+json");
        assertThat(reply.body()).doesNotContain("<html").contains("\"status\":" + reply.status());
    }

    @Test
    void encodedSlashesAndBackslashesInApiPathsAreAnsweredWithProblemJson() {
        for (String path : List.of("/api/v1/models/a%2Fb", "/api/v1/models/a%5Cb",
                "/api/v1/models/a%2fb/checkpoints")) {
            RawHttp.Response reply = RawHttp.send(port, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Authorization: Bearer " + ADMIN_TOKEN + "\r\nConnection: close\r\n\r\n");
            assertThat(reply.status()).as(path).isEqualTo(400);
            assertThat(reply.header("Content-Type")).as(path).startsWith("application/problem+json");
            assertThat(reply.body()).as(path).doesNotContain("<html").contains("\"status\":400");
        }
    }

    @Test
    void anUnreadableBodyNamesTheFieldAndTheExpectedTypeAndStoresNothing() {
        String name = unique("typed");
        HttpApi.Reply reply = admin().post("/api/v1/recipes",
                Map.of("name", name, "method", "int8-dynamic", "blockSize", "thirty-two"));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("blockSize");
        assertThat(reply.json().get("detail").asString()).contains("blockSize", "expected an integer", "thirty-two");
        assertThat(admin().get("/api/v1/recipes/" + name).status()).isEqualTo(404);

        HttpApi.Reply nested = admin().post("/api/v1/recipes",
                Map.of("name", name, "method", "int8-dynamic", "excludeNodes", List.of("a", Map.of("b", 1))));
        assertThat(nested.status()).isEqualTo(400);
        assertThat(nested.json().get("field").asString()).isEqualTo("excludeNodes[1]");
        assertThat(nested.json().get("detail").asString()).contains("expected a string", "got an object");

        HttpApi.Reply broken = admin().post("/api/v1/recipes", "{\"name\": \"" + name + "\", ");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().get("detail").asString()).contains("not valid JSON");
        assertThat(admin().get("/api/v1/recipes/" + name).status()).isEqualTo(404);
    }

    @Test
    void aParameterOfTheWrongTypeNamesItselfAndTheExpectedType() {
        HttpApi.Reply reply = admin().get("/api/v1/jobs/not-a-uuid");
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("id");
        assertThat(reply.json().get("detail").asString()).contains("expected a UUID", "not-a-uuid");
    }

    @Test
    void aListOverTenThousandEntriesIsRefusedNamingTheFieldAndNothingIsStored() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            nodes.add("node_" + i);
        }
        String accepted = unique("limit");
        assertThat(admin().post("/api/v1/recipes", Map.of("name", accepted, "method", "int8-dynamic",
                "excludeNodes", nodes)).status()).isEqualTo(201);

        nodes.add("node_10000");
        String refused = unique("limit");
        HttpApi.Reply reply = admin().post("/api/v1/recipes", Map.of("name", refused, "method", "int8-dynamic",
                "excludeNodes", nodes));
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().get("field").asString()).isEqualTo("excludeNodes");
        assertThat(reply.json().get("detail").asString()).contains("at most 10000 entries", "10001");
        assertThat(admin().get("/api/v1/recipes/" + refused).status()).isEqualTo(404);
        assertThat(jdbc.queryForObject("select count(*) from recipe where name = ?", Integer.class, refused))
                .isZero();
    }

    @Test
    void errorDetailsQuoteAtMostTwoHundredCharactersOfTheInput() {
        String longName = "m".repeat(200) + "X".repeat(3000);
        HttpApi.Reply missing = admin().get("/api/v1/models/" + longName);
        assertThat(missing.status()).isEqualTo(404);
        String detail = missing.json().get("detail").asString();
        assertThat(detail).contains("m".repeat(200)).doesNotContain("X").contains("3200 characters");

        String longTime = "2026-" + "9".repeat(5000);
        HttpApi.Reply badTime = admin().post("/api/v1/tokens", Map.of("name", "t", "expiresAt", longTime));
        assertThat(badTime.status()).isEqualTo(400);
        assertThat(badTime.json().get("field").asString()).isEqualTo("expiresAt");
        assertThat(badTime.json().get("detail").asString()).contains("expected an ISO-8601 timestamp")
                .hasSizeLessThan(200 + 300);
    }

    @Test
    void anUnsatisfiableRangeIsAnswered416WithNoBody() {
        String model = unique("ranged");
        assertThat(admin().post("/api/v1/models", Map.of("name", model, "task", "classification", "owner", "ml"))
                .status()).isEqualTo(201);
        String checkpoint = admin().upload("/api/v1/models/" + model + "/checkpoints",
                Map.of("version", "1.0.0", "license", "MIT"), Fixtures.bytes("digits_mlp.onnx"), "digits_mlp.onnx")
                .json().get("id").asString();
        HttpApi.Reply reply = admin().send(admin().request("/api/v1/checkpoints/" + checkpoint + "/content")
                .header("Range", "bytes=999999999-").GET());
        assertThat(reply.status()).isEqualTo(416);
        assertThat(reply.body()).isEmpty();
        assertThat(reply.header("Content-Range")).startsWith("bytes */");

        HttpApi.Reply part = admin().send(admin().request("/api/v1/checkpoints/" + checkpoint + "/content")
                .header("Range", "bytes=0-9").GET());
        assertThat(part.status()).isEqualTo(206);
    }

    @Test
    void aShortTokenShowsNoPrefixWhileAGeneratedOneShowsTenCharacters() {
        var mine = admin().get("/api/v1/tokens").json();
        var bootstrap = mine.valueStream().filter(t -> t.get("name").asString().equals("bootstrap")).findFirst()
                .orElseThrow();
        assertThat(ADMIN_TOKEN).hasSize(32);
        assertThat(bootstrap.get("prefix").isNull()).as(bootstrap.toString()).isTrue();
        assertThat(admin().get("/admin/tokens?user=admin").body()).doesNotContain(ADMIN_TOKEN.substring(0, 10));

        var issued = admin().post("/api/v1/tokens", Map.of("name", "ci")).json();
        assertThat(issued.get("prefix").asString()).hasSize(10).isEqualTo(issued.get("token").asString()
                .substring(0, 10));
    }

    private static String sessionCookie(HttpApi.Reply reply) {
        assertThat(reply.status()).isEqualTo(200);
        return reply.raw().headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("JSESSIONID="))
                .findFirst().orElseThrow(() -> new AssertionError("no session cookie: " + reply.raw().headers()));
    }
}
