package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.LoopbackClient;

import org.junit.jupiter.api.Test;

/**
 * Accounts can be offboarded, over real HTTP: disabling, role changes, password resets and changes,
 * and token lineage; each takes effect at once and is audited, and refused input changes nothing.
 */
class AccountLifecycleIT extends IntegrationTest {

    private static final String PASSWORD = "correct-horse-battery";

    private String person(String... roles) {
        String username = unique("acct");
        var created = admin().post("/api/v1/users", Map.of("username", username, "password", PASSWORD,
                "roles", List.of(roles)));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return username;
    }

    /** HTTP Basic from a loopback address of its own: the wrong passwords here never throttle 127.0.0.1. */
    private LoopbackClient.Reply withBasic(String method, String path, String username, String password, String body) {
        return LoopbackClient.fresh(port).withBasic(method, path, username, password, body);
    }

    private String mintWithPassword(String username, String password) {
        var minted = withBasic("POST", "/api/v1/tokens", username, password, "{\"name\":\"laptop\"}");
        assertThat(minted.status()).as(minted.body()).isEqualTo(201);
        return minted.json().get("token").asString();
    }

    private static HttpApi.Reply mint(HttpApi caller, String name) {
        return caller.post("/api/v1/tokens", Map.of("name", name));
    }

    private long audited(String action, String subjectId) {
        return jdbc.queryForObject("select count(*) from audit_event where action = ? and subject_id = ?",
                Long.class, action, subjectId);
    }

    @Test
    void disablingAUserRevokesEveryTokenIncludingTokensCreatedWithThemAndStopsThePassword() {
        String username = person("ENGINEER");
        HttpApi own = admin().as(mintWithPassword(username, PASSWORD));
        var child = mint(own, "child");
        HttpApi childApi = admin().as(child.json().get("token").asString());
        var grandchild = mint(childApi, "grandchild");
        HttpApi grandchildApi = admin().as(grandchild.json().get("token").asString());
        assertThat(grandchildApi.get("/api/v1/me").status()).isEqualTo(200);

        var disabled = admin().method("PATCH", "/api/v1/users/" + username);
        assertThat(disabled.status()).as("an empty change is refused").isEqualTo(400);
        disabled = admin().send(admin().request("/api/v1/users/" + username).header("Content-Type", "application/json")
                .method("PATCH", BodyPublishers.ofString("{\"enabled\": false}")));
        assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
        assertThat(disabled.json().get("enabled").asBoolean()).isFalse();

        for (HttpApi token : List.of(own, childApi, grandchildApi)) {
            assertThat(token.get("/api/v1/me").status()).isEqualTo(401);
        }
        assertThat(withBasic("GET", "/api/v1/me", username, PASSWORD, null).status()).isEqualTo(401);
        var mintedAfter = withBasic("POST", "/api/v1/tokens", username, PASSWORD, "{\"name\":\"again\"}");
        assertThat(mintedAfter.status()).as("no new token with a disabled account's password").isEqualTo(401);
        var forDisabled = admin().post("/api/v1/tokens", Map.of("name", "x", "username", username));
        assertThat(forDisabled.status()).isEqualTo(409);
        assertThat(jdbc.queryForObject("select count(*) from api_token t join app_user u on u.id = t.user_id"
                + " where u.username = ? and t.revoked_at is null", Long.class, username)).isZero();
        assertThat(audited("user.disabled", username)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where action = 'token.revoked'"
                + " and details like ?", Long.class, "%" + username + "%")).isEqualTo(3);

        // Enabled again: the password works, the revoked tokens stay revoked.
        var enabled = admin().patch("/api/v1/users/" + username, Map.of("enabled", true));
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(withBasic("GET", "/api/v1/me", username, PASSWORD, null).status()).isEqualTo(200);
        assertThat(own.get("/api/v1/me").status()).isEqualTo(401);
        assertThat(audited("user.enabled", username)).isEqualTo(1);
    }

    @Test
    void aTokenRecordsTheTokenThatCreatedItAndDiesWithIt() {
        HttpApi parent = userWith("ENGINEER");
        var child = parent.post("/api/v1/tokens", Map.of("name", "child", "expiresAt", "2099-01-01T00:00:00Z"));
        assertThat(child.status()).isEqualTo(201);
        String parentId = jdbc.queryForObject("select parent_token_id::text from api_token where id = ?::uuid",
                String.class, child.json().get("id").asString());
        var listed = parent.get("/api/v1/tokens").json();
        String parentTokenId = null;
        for (var t : listed) {
            if (t.get("name").asString().equals("test")) {
                parentTokenId = t.get("id").asString();
            }
            if (t.get("name").asString().equals("child")) {
                assertThat(t.get("parentTokenId").asString()).isEqualTo(parentId);
            }
        }
        assertThat(parentId).isEqualTo(parentTokenId);
        HttpApi childApi = parent.as(child.json().get("token").asString());
        HttpApi grandchild = parent.as(childApi.post("/api/v1/tokens", Map.of("name", "gc")).json().get("token")
                .asString());
        // A sibling made by the admin (not with the parent token) is not in the lineage.
        String owner = parent.get("/api/v1/me").json().get("username").asString();
        HttpApi sibling = parent.as(admin().post("/api/v1/tokens", Map.of("name", "sibling", "username", owner))
                .json().get("token").asString());

        var revoked = parent.delete("/api/v1/tokens/" + parentTokenId);
        assertThat(revoked.status()).isEqualTo(200);
        assertThat(childApi.get("/api/v1/me").status()).isEqualTo(401);
        assertThat(grandchild.get("/api/v1/me").status()).isEqualTo(401);
        assertThat(sibling.get("/api/v1/me").status()).isEqualTo(200);
        assertThat(audited("token.revoked", child.json().get("id").asString())).isEqualTo(1);
    }

    @Test
    void aTokenCreatedWithAnExpiringTokenExpiresNoLaterThanIt() {
        var parent = admin().post("/api/v1/tokens", Map.of("name", "short", "expiresAt", "2030-01-01T00:00:00Z"));
        HttpApi parentApi = admin().as(parent.json().get("token").asString());
        var child = parentApi.post("/api/v1/tokens", Map.of("name", "forever"));
        assertThat(child.status()).isEqualTo(201);
        assertThat(child.json().get("expiresAt").asString()).startsWith("2030-01-01T00:00");
        parentApi.delete("/api/v1/tokens/" + parent.json().get("id").asString());
    }

    @Test
    void changedRolesApplyAtOnceToTheAccountsExistingTokens() {
        String username = person("ENGINEER");
        HttpApi token = admin().as(mintWithPassword(username, PASSWORD));
        assertThat(token.get("/api/v1/webhooks").status()).isEqualTo(200);

        var demoted = admin().patch("/api/v1/users/" + username, Map.of("roles", List.of("VIEWER")));
        assertThat(demoted.status()).as(demoted.body()).isEqualTo(200);
        assertThat(token.get("/api/v1/webhooks").status()).isEqualTo(403);
        assertThat(token.get("/api/v1/models").status()).isEqualTo(200);
        assertThat(withBasic("GET", "/api/v1/webhooks", username, PASSWORD, null).status()).isEqualTo(403);
        assertThat(audited("user.roles.changed", username)).isEqualTo(1);
    }

    @Test
    void refusedChangesNameTheFieldAndChangeNothing() {
        String username = person("ENGINEER");
        var unknownRole = admin().patch("/api/v1/users/" + username, Map.of("roles", List.of("OVERLORD")));
        assertThat(unknownRole.status()).isEqualTo(400);
        assertThat(unknownRole.isProblem()).isTrue();
        assertThat(unknownRole.json().get("field").asString()).isEqualTo("roles");
        var noRoles = admin().patch("/api/v1/users/" + username, Map.of("roles", List.of(), "enabled", false));
        assertThat(noRoles.json().get("field").asString()).isEqualTo("roles");
        var machineRole = admin().patch("/api/v1/users/" + username, Map.of("roles", List.of("WORKER")));
        assertThat(machineRole.status()).isEqualTo(400);
        var shortPassword = admin().post("/api/v1/users/" + username + "/password", Map.of("password", "short"));
        assertThat(shortPassword.status()).isEqualTo(400);
        assertThat(shortPassword.json().get("field").asString()).isEqualTo("password");
        assertThat(admin().patch("/api/v1/users/nobody-" + username, Map.of("enabled", false)).status())
                .isEqualTo(404);

        assertThat(jdbc.queryForMap("select roles, enabled, must_change_password from app_user where username = ?",
                username)).containsEntry("roles", "ENGINEER").containsEntry("enabled", true)
                .containsEntry("must_change_password", false);
        assertThat(withBasic("GET", "/api/v1/me", username, PASSWORD, null).status()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select count(*) from audit_event where subject_id = ? and action <> 'user.created'",
                Long.class, username)).isZero();
    }

    @Test
    void anAdminCannotDisableThemselves() {
        HttpApi otherAdmin = userWith("ADMIN");
        String self = otherAdmin.get("/api/v1/me").json().get("username").asString();
        var refused = otherAdmin.patch("/api/v1/users/" + self, Map.of("enabled", false));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.isProblem()).isTrue();
        assertThat(refused.json().get("detail").asString()).contains("your own account");
        assertThat(otherAdmin.get("/api/v1/users").status()).as("still an enabled ADMIN").isEqualTo(200);
        assertThat(audited("user.disabled", self)).isZero();
    }

    @Test
    void anAdminsResetForcesAPasswordChangeBeforeAnythingElse() {
        String username = person("ENGINEER");
        HttpApi token = admin().as(mintWithPassword(username, PASSWORD));
        var reset = admin().post("/api/v1/users/" + username + "/password", Map.of("password", "temporary-pass-1"));
        assertThat(reset.status()).as(reset.body()).isEqualTo(200);
        assertThat(reset.json().get("mustChangePassword").asBoolean()).isTrue();
        assertThat(audited("user.password.reset", username)).isEqualTo(1);

        assertThat(withBasic("GET", "/api/v1/me", username, PASSWORD, null).status()).isEqualTo(401);
        var blocked = withBasic("GET", "/api/v1/models", username, "temporary-pass-1", null);
        assertThat(blocked.status()).isEqualTo(403);
        assertThat(blocked.isProblem()).isTrue();
        assertThat(blocked.json().get("field").asString()).isEqualTo("password");
        assertThat(withBasic("POST", "/api/v1/tokens", username, "temporary-pass-1", "{\"name\":\"x\"}").status())
                .isEqualTo(403);
        assertThat(token.get("/api/v1/me").json().get("field").asString()).as("its tokens too").isEqualTo("password");

        var wrongCurrent = withBasic("POST", "/api/v1/me/password", username, "temporary-pass-1",
                "{\"currentPassword\":\"not-it-at-all\",\"newPassword\":\"my-own-password-2\"}");
        assertThat(wrongCurrent.status()).isEqualTo(400);
        assertThat(wrongCurrent.json().get("field").asString()).isEqualTo("currentPassword");
        var tooShort = withBasic("POST", "/api/v1/me/password", username, "temporary-pass-1",
                "{\"currentPassword\":\"temporary-pass-1\",\"newPassword\":\"short\"}");
        assertThat(tooShort.json().get("field").asString()).isEqualTo("newPassword");
        assertThat(jdbc.queryForObject("select must_change_password from app_user where username = ?",
                Boolean.class, username)).isTrue();

        var changed = withBasic("POST", "/api/v1/me/password", username, "temporary-pass-1",
                "{\"currentPassword\":\"temporary-pass-1\",\"newPassword\":\"my-own-password-2\"}");
        assertThat(changed.status()).as(changed.body()).isEqualTo(204);
        var me = withBasic("GET", "/api/v1/me", username, "my-own-password-2", null);
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("roles").get(0).asString()).isEqualTo("ENGINEER");
        assertThat(withBasic("GET", "/api/v1/me", username, "temporary-pass-1", null).status()).isEqualTo(401);
        assertThat(token.get("/api/v1/webhooks").status()).isEqualTo(200);
        assertThat(audited("user.password.changed", username)).isEqualTo(1);
    }

    @Test
    void aPersonChangesTheirOwnPasswordWithTheirToken() {
        String username = person("VIEWER");
        HttpApi token = admin().as(mintWithPassword(username, PASSWORD));
        var changed = token.post("/api/v1/me/password", Map.of("currentPassword", PASSWORD,
                "newPassword", "a-brand-new-password"));
        assertThat(changed.status()).as(changed.body()).isEqualTo(204);
        assertThat(withBasic("GET", "/api/v1/me", username, PASSWORD, null).status()).isEqualTo(401);
        assertThat(withBasic("GET", "/api/v1/me", username, "a-brand-new-password", null).status()).isEqualTo(200);

        HttpApi machine = userWith("WORKER");
        var noPassword = machine.post("/api/v1/me/password", Map.of("currentPassword", "x", "newPassword",
                "whatever-long-enough"));
        assertThat(noPassword.status()).isEqualTo(400);
        assertThat(noPassword.json().get("field").asString()).isEqualTo("currentPassword");
    }
}
