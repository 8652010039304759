package io.qreg.registry.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.LoopbackClient;

import org.junit.jupiter.api.Test;

/**
 * Offboarding as the portal sees it, over real HTTP with sessions and CSRF tokens: a disabled account's
 * sessions end at once, role changes reach open sessions, a reset password sends the person to change
 * it, and the admin account page's forms do what they say (and refuse what they must).
 */
class AccountPortalIT extends IntegrationTest {

    private String userRoles(String username) {
        return jdbc.queryForObject("select roles from app_user where username = ?", String.class, username);
    }

    @Test
    void disablingAnAccountEndsItsPortalSessionsAtOnce() throws Exception {
        String person = FormSession.person(admin(), "VIEWER");
        FormSession first = FormSession.signedIn(port, person);
        FormSession second = FormSession.signedIn(port, person);
        assertThat(first.get("/").statusCode()).isEqualTo(200);

        assertThat(admin().patch("/api/v1/users/" + person, Map.of("enabled", false)).status()).isEqualTo(200);
        for (FormSession session : List.of(first, second)) {
            HttpResponse<String> ended = session.get("/models");
            assertThat(ended.statusCode()).isEqualTo(302);
            assertThat(ended.headers().firstValue("Location").orElse("")).endsWith("/login?ended");
            assertThat(session.get("/").statusCode()).as("and stays ended").isEqualTo(302);
        }
        var again = LoopbackClient.fresh(port).formLogin(person, FormSession.PASSWORD);
        assertThat(again.header("Location")).contains("/login?error");
    }

    @Test
    void aRoleChangeReachesOpenSessionsAtOnce() throws Exception {
        String person = FormSession.person(admin(), "ENGINEER");
        FormSession session = FormSession.signedIn(port, person);
        assertThat(session.get("/approvals/new").statusCode()).isEqualTo(200);
        admin().patch("/api/v1/users/" + person, Map.of("roles", List.of("VIEWER")));
        assertThat(session.get("/approvals/new").statusCode()).isEqualTo(403);
        assertThat(session.get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void aResetPasswordSendsThePersonToChangeItAndEndsTheirSessions() throws Exception {
        String person = FormSession.person(admin(), "VIEWER");
        FormSession before = FormSession.signedIn(port, person);
        assertThat(admin().post("/api/v1/users/" + person + "/password", Map.of("password", "temporary-pass-1"))
                .status()).isEqualTo(200);
        assertThat(before.get("/").headers().firstValue("Location").orElse("")).endsWith("/login?ended");

        FormSession session = FormSession.signedIn(port, person, "temporary-pass-1");
        HttpResponse<String> dashboard = session.get("/");
        assertThat(dashboard.statusCode()).isEqualTo(302);
        assertThat(dashboard.headers().firstValue("Location").orElse("")).endsWith("/account/password");
        HttpResponse<String> page = session.get("/account/password");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"must-change\"");

        HttpResponse<String> mismatch = session.postForm("/account/password", Map.of("_csrf", session.token(),
                "currentPassword", "temporary-pass-1", "newPassword", "my-own-password-1",
                "confirmPassword", "something-else-1"));
        assertThat(mismatch.statusCode()).isEqualTo(400);
        assertThat(mismatch.body()).contains("confirmation differ");
        assertThat(session.get("/").statusCode()).as("still must change").isEqualTo(302);

        session.get("/account/password");
        HttpResponse<String> changed = session.postForm("/account/password", Map.of("_csrf", session.token(),
                "currentPassword", "temporary-pass-1", "newPassword", "my-own-password-1",
                "confirmPassword", "my-own-password-1"));
        assertThat(changed.statusCode()).isEqualTo(302);
        assertThat(session.get("/").statusCode()).as("the changing session is kept").isEqualTo(200);
        assertThat(jdbc.queryForObject("select must_change_password from app_user where username = ?",
                Boolean.class, person)).isFalse();
    }

    @Test
    void theAccountPageChangesRolesDisablesEnablesAndResetsPasswords() throws Exception {
        String administrator = FormSession.person(admin(), "ADMIN");
        String person = FormSession.person(admin(), "VIEWER");
        FormSession session = FormSession.signedIn(port, administrator);
        String page = "/admin/users/" + person;
        assertThat(session.get("/admin").body()).contains("href=\"" + page + "\"");
        assertThat(session.get(page).statusCode()).isEqualTo(200);

        var roles = session.postForm(page + "/roles", Map.of("_csrf", session.token(), "roles", "ENGINEER"));
        assertThat(roles.statusCode()).isEqualTo(302);
        assertThat(userRoles(person)).isEqualTo("ENGINEER");
        assertThat(session.get(page).body()).contains("are now [ENGINEER]");

        var noRoles = session.postForm(page + "/roles", Map.of("_csrf", session.token()));
        assertThat(noRoles.statusCode()).isEqualTo(400);
        assertThat(noRoles.body()).contains("id=\"form-problem\"");
        assertThat(userRoles(person)).isEqualTo("ENGINEER");

        session.get(page);
        assertThat(session.postForm(page + "/enabled", Map.of("_csrf", session.token(), "enabled", "false"))
                .statusCode()).isEqualTo(302);
        assertThat(jdbc.queryForObject("select enabled from app_user where username = ?", Boolean.class, person))
                .isFalse();
        assertThat(session.get(page).body()).contains("Enable account");
        assertThat(session.postForm(page + "/enabled", Map.of("_csrf", session.token(), "enabled", "true"))
                .statusCode()).isEqualTo(302);

        session.get(page);
        var shortPassword = session.postForm(page + "/password", Map.of("_csrf", session.token(), "password", "short"));
        assertThat(shortPassword.statusCode()).isEqualTo(400);
        assertThat(jdbc.queryForObject("select must_change_password from app_user where username = ?",
                Boolean.class, person)).isFalse();
        var reset = session.postForm(page + "/password", Map.of("_csrf", session.token(),
                "password", "temporary-pass-2"));
        assertThat(reset.statusCode()).isEqualTo(302);
        assertThat(jdbc.queryForObject("select must_change_password from app_user where username = ?",
                Boolean.class, person)).isTrue();

        String self = "/admin/users/" + administrator;
        session.get(self);
        var selfDisable = session.postForm(self + "/enabled", Map.of("_csrf", session.token(), "enabled", "false"));
        assertThat(selfDisable.statusCode()).isEqualTo(409);
        assertThat(selfDisable.body()).contains("your own account");
        assertThat(jdbc.queryForObject("select count(*) from audit_event where subject_id = ? and action in"
                + " ('user.roles.changed', 'user.disabled', 'user.enabled', 'user.password.reset')", Long.class, person))
                .isEqualTo(4);
    }

    @Test
    void onlyAnAdminOpensOrPostsTheAccountPage() throws Exception {
        String person = FormSession.person(admin(), "ENGINEER");
        FormSession session = FormSession.signedIn(port, person);
        assertThat(session.get("/admin/users/" + person).statusCode()).isEqualTo(403);
        session.get("/");
        assertThat(session.postForm("/admin/users/" + person + "/roles", Map.of("_csrf", session.token(),
                "roles", "ADMIN")).statusCode()).isEqualTo(403);
        assertThat(userRoles(person)).isEqualTo("ENGINEER");
    }
}
