package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.LoopbackClient;

import org.junit.jupiter.api.Test;

/**
 * Password guessing is slow, with the shipped defaults (10 failures in 5 minutes, then 1 s, doubling):
 * over real HTTP, from loopback addresses of their own, so the other tests' 127.0.0.1 is never throttled.
 */
class LoginThrottleIT extends IntegrationTest {

    private static final String PASSWORD = "correct-horse-battery";

    private String person() {
        String username = unique("guess");
        var created = admin().post("/api/v1/users", Map.of("username", username, "password", PASSWORD,
                "roles", List.of("VIEWER")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return username;
    }

    /** Ten wrong passwords for the account, each from a different address (so no address is throttled). */
    private void failTenTimes(String username) {
        for (int i = 0; i < 10; i++) {
            var wrong = LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, "wrong-password-" + i);
            assertThat(wrong.status()).as("attempt %d", i + 1).isEqualTo(401);
        }
    }

    private long throttledEvents(String subjectType, String subjectId) {
        return jdbc.queryForObject("select count(*) from audit_event where action = 'auth.throttled'"
                + " and subject_type = ? and subject_id = ?", Long.class, subjectType, subjectId);
    }

    @Test
    void tenFailedPasswordsForOneAccountAreFollowedBy429WithRetryAfterEvenForTheRightPassword() {
        String username = person();
        failTenTimes(username);

        var refused = LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Content-Type")).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(HttpApi.JSON.readTree(refused.body()).get("detail").asString())
                .contains("Too many failed sign-in attempts");
        var again = LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD);
        assertThat(again.status()).isEqualTo(429);
        // Once per throttle start, with the account and the address that tipped it over.
        assertThat(throttledEvents("user", username)).isEqualTo(1);
        String details = jdbc.queryForObject("select details from audit_event where action = 'auth.throttled'"
                + " and subject_id = ?", String.class, username);
        assertThat(details).contains(username).contains("127.0.");

        // Bearer tokens are not passwords: the account's token still works while its password is throttled.
        var token = admin().post("/api/v1/tokens", Map.of("name", "t", "username", username));
        assertThat(admin().as(token.json().get("token").asString()).get("/api/v1/me").status()).isEqualTo(200);
    }

    @Test
    void theDelayDoublesWithEachFurtherFailureAndASuccessfulSignInResetsIt() throws Exception {
        String username = person();
        failTenTimes(username);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, "x").header("Retry-After"))
                .isEqualTo("1");

        Thread.sleep(1_100);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, "wrong-11").status())
                .isEqualTo(401);
        var second = LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD);
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.header("Retry-After")).isEqualTo("2");

        Thread.sleep(2_100);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, "wrong-12").status())
                .isEqualTo(401);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).header("Retry-After"))
                .isEqualTo("4");
        assertThat(throttledEvents("user", username)).as("one throttle, however long").isEqualTo(1);

        Thread.sleep(4_100);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).status())
                .isEqualTo(200);
        // Reset: one more wrong password is just a wrong password, not a throttle.
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, "wrong-again").status())
                .isEqualTo(401);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).status())
                .isEqualTo(200);
    }

    @Test
    void tenFailuresFromOneAddressThrottleEveryAccountFromItButNotFromElsewhere() {
        String username = person();
        LoopbackClient guesser = LoopbackClient.fresh(port);
        for (int i = 0; i < 10; i++) {
            assertThat(guesser.getWithBasic("/api/v1/me", unique("nobody"), "guess-" + i).status()).isEqualTo(401);
        }
        var refused = guesser.getWithBasic("/api/v1/me", username, PASSWORD);
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(throttledEvents("client", guesser.address())).isEqualTo(1);

        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).status())
                .as("the same account from another address").isEqualTo(200);
    }

    @Test
    void failedPortalSignInsCountTooAndAThrottledFormAnswers429WithAMessage() {
        String username = person();
        for (int i = 0; i < 10; i++) {
            var failed = LoopbackClient.fresh(port).formLogin(username, "wrong-password-" + i);
            assertThat(failed.status()).isEqualTo(302);
            assertThat(failed.header("Location")).contains("/login?error");
        }
        // The API's HTTP Basic shares the account's count with the form.
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).status())
                .isEqualTo(429);

        var form = LoopbackClient.fresh(port).formLogin(username, PASSWORD);
        assertThat(form.status()).isEqualTo(429);
        assertThat(form.header("Retry-After")).isNotNull();
        assertThat(form.header("Content-Type")).startsWith("text/html");
        assertThat(form.body()).contains("id=\"login-throttled\"").contains("Too many failed sign-in attempts")
                .contains("name=\"username\"");
    }

    @Test
    void guessingTheCurrentPasswordWithAStolenTokenIsThrottledLikeSigningIn() {
        String username = person();
        String token = admin().post("/api/v1/tokens", Map.of("name", "stolen", "username", username)).json()
                .get("token").asString();
        for (int i = 0; i < 10; i++) {
            var wrong = LoopbackClient.fresh(port).withToken("POST", "/api/v1/me/password", token,
                    "{\"currentPassword\":\"guess-" + i + "\",\"newPassword\":\"stolen-account-pw\"}");
            assertThat(wrong.status()).as(wrong.body()).isEqualTo(400);
        }
        var refused = LoopbackClient.fresh(port).withToken("POST", "/api/v1/me/password", token,
                "{\"currentPassword\":\"" + PASSWORD + "\",\"newPassword\":\"stolen-account-pw\"}");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.json().get("field").asString()).isEqualTo("currentPassword");
        assertThat(throttledEvents("user", username)).isEqualTo(1);
        assertThat(LoopbackClient.fresh(port).getWithBasic("/api/v1/me", username, PASSWORD).status())
                .as("the account's sign-in is throttled too").isEqualTo(429);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'user.password.changed'"
                + " and subject_id = ?", Long.class, username)).isZero();
    }
}
