package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * Walks every API endpoint the application actually maps and proves who may call it: anonymous
 * callers get 401, roles without the right get 403, and roles with it get past security. An
 * endpoint missing from the table below fails the test, so none can ship without a decision.
 */
class AuthorizationMatrixIT extends IntegrationTest {

    private static final Set<Role> HUMANS = EnumSet.of(Role.VIEWER, Role.ENGINEER, Role.APPROVER,
            Role.RISK_OFFICER, Role.ADMIN);
    private static final Set<Role> EVERYONE = EnumSet.allOf(Role.class);
    private static final Set<Role> BUILDERS = EnumSet.of(Role.ENGINEER, Role.ADMIN);
    private static final Set<Role> ADMINS = EnumSet.of(Role.ADMIN);
    private static final Set<Role> WORKERS = EnumSet.of(Role.WORKER);
    private static final Set<Role> WORKERS_AND_ADMINS = EnumSet.of(Role.WORKER, Role.ADMIN);
    private static final Set<Role> SIGNERS = EnumSet.of(Role.APPROVER, Role.RISK_OFFICER);
    private static final Set<Role> HUMANS_AND_WORKERS = EnumSet.of(Role.VIEWER, Role.ENGINEER, Role.APPROVER,
            Role.RISK_OFFICER, Role.ADMIN, Role.WORKER);
    private static final Set<Role> HUMANS_AND_GATEWAYS = EnumSet.of(Role.VIEWER, Role.ENGINEER, Role.APPROVER,
            Role.RISK_OFFICER, Role.ADMIN, Role.GATEWAY);
    private static final Set<Role> BUILDERS_AND_GATEWAYS = EnumSet.of(Role.ENGINEER, Role.ADMIN, Role.GATEWAY);
    private static final Set<Role> GATEWAYS = EnumSet.of(Role.GATEWAY);

    /** Who may call each endpoint, as "METHOD pattern". */
    private static final Map<String, Set<Role>> EXPECTED = Map.ofEntries(
            Map.entry("GET /api/v1/me", EVERYONE),
            Map.entry("GET /api/v1/users", ADMINS),
            Map.entry("POST /api/v1/users", ADMINS),
            Map.entry("PATCH /api/v1/users/{username}", ADMINS),
            Map.entry("POST /api/v1/users/{username}/password", ADMINS),
            Map.entry("POST /api/v1/me/password", EVERYONE),
            Map.entry("GET /api/v1/tokens", EVERYONE),
            Map.entry("POST /api/v1/tokens", EVERYONE),
            Map.entry("DELETE /api/v1/tokens/{id}", EVERYONE),
            Map.entry("GET /api/v1/audit", HUMANS),
            Map.entry("GET /api/v1/audit/verify", HUMANS),
            Map.entry("GET /api/v1/models", HUMANS),
            Map.entry("POST /api/v1/models", BUILDERS),
            Map.entry("GET /api/v1/models/{name}", HUMANS),
            Map.entry("GET /api/v1/models/{name}/checkpoints", HUMANS),
            Map.entry("POST /api/v1/models/{name}/checkpoints", BUILDERS),
            Map.entry("GET /api/v1/checkpoints/{id}", HUMANS),
            Map.entry("GET /api/v1/checkpoints/{id}/lineage", HUMANS),
            Map.entry("GET /api/v1/checkpoints/{id}/evaluations", HUMANS),
            Map.entry("GET /api/v1/checkpoints/{id}/content", HUMANS_AND_WORKERS),
            Map.entry("GET /api/v1/recipes", HUMANS),
            Map.entry("POST /api/v1/recipes", BUILDERS),
            Map.entry("GET /api/v1/recipes/{name}", HUMANS),
            Map.entry("GET /api/v1/recipes/{name}/versions/{version}", HUMANS),
            Map.entry("GET /api/v1/datasets", HUMANS),
            Map.entry("POST /api/v1/datasets", BUILDERS),
            Map.entry("GET /api/v1/datasets/{name}", HUMANS),
            Map.entry("GET /api/v1/datasets/{name}/versions/{version}", HUMANS),
            Map.entry("GET /api/v1/datasets/{name}/versions/{version}/content", HUMANS_AND_WORKERS),
            Map.entry("GET /api/v1/hardware-targets", HUMANS),
            Map.entry("POST /api/v1/hardware-targets", ADMINS),
            Map.entry("GET /api/v1/workers", HUMANS),
            Map.entry("POST /api/v1/workers/register", WORKERS),
            Map.entry("POST /api/v1/workers/{workerId}/claim", WORKERS),
            Map.entry("POST /api/v1/workers/{workerId}/deregister", WORKERS_AND_ADMINS),
            Map.entry("GET /api/v1/jobs", HUMANS),
            Map.entry("POST /api/v1/jobs", BUILDERS),
            Map.entry("GET /api/v1/jobs/{id}", HUMANS),
            Map.entry("POST /api/v1/jobs/{id}/cancel", BUILDERS),
            Map.entry("POST /api/v1/jobs/{id}/heartbeat", WORKERS),
            Map.entry("POST /api/v1/jobs/{id}/result", WORKERS),
            Map.entry("GET /api/v1/variants/{id}", HUMANS),
            Map.entry("GET /api/v1/variants/{id}/content", HUMANS_AND_WORKERS),
            Map.entry("GET /api/v1/models/{name}/variants", HUMANS),
            Map.entry("GET /api/v1/models/{name}/policy", HUMANS),
            Map.entry("PUT /api/v1/models/{name}/policy", ADMINS),
            Map.entry("DELETE /api/v1/models/{name}/policy", ADMINS),
            Map.entry("GET /api/v1/variants/{id}/verdict", HUMANS),
            Map.entry("GET /api/v1/checkpoints/{id}/verdict", HUMANS),
            Map.entry("POST /api/v1/approvals", BUILDERS),
            Map.entry("GET /api/v1/approvals", HUMANS),
            Map.entry("GET /api/v1/approvals/{id}", HUMANS),
            Map.entry("POST /api/v1/approvals/{id}/signoffs", SIGNERS),
            Map.entry("GET /api/v1/webhooks", BUILDERS),
            Map.entry("POST /api/v1/webhooks", BUILDERS),
            Map.entry("GET /api/v1/webhooks/{id}", BUILDERS),
            Map.entry("DELETE /api/v1/webhooks/{id}", BUILDERS),
            Map.entry("GET /api/v1/webhooks/{id}/deliveries", BUILDERS),
            Map.entry("POST /api/v1/webhooks/{id}/test", BUILDERS),
            Map.entry("GET /api/v1/deployments", HUMANS),
            Map.entry("POST /api/v1/deployments", BUILDERS),
            Map.entry("GET /api/v1/deployments/{name}", HUMANS),
            Map.entry("GET /api/v1/deployments/{name}/history", HUMANS),
            Map.entry("POST /api/v1/deployments/{name}/rollouts", BUILDERS),
            Map.entry("GET /api/v1/rollouts/{id}", HUMANS),
            Map.entry("POST /api/v1/rollouts/{id}/advance", BUILDERS),
            Map.entry("POST /api/v1/rollouts/{id}/pause", BUILDERS),
            Map.entry("POST /api/v1/rollouts/{id}/resume", BUILDERS),
            Map.entry("POST /api/v1/rollouts/{id}/rollback", BUILDERS),
            Map.entry("POST /api/v1/rollouts/{id}/health", BUILDERS_AND_GATEWAYS),
            Map.entry("POST /api/v1/rollouts/health", BUILDERS_AND_GATEWAYS),
            Map.entry("GET /api/v1/routing/{deployment}", HUMANS_AND_GATEWAYS),
            Map.entry("GET /api/v1/routing/{deployment}/revisions", HUMANS_AND_GATEWAYS),
            Map.entry("GET /api/v1/routing/{deployment}/revisions/{revision}", HUMANS_AND_GATEWAYS),
            Map.entry("GET /api/v1/routing/{deployment}/gateways", HUMANS_AND_GATEWAYS),
            Map.entry("POST /api/v1/routing/{deployment}/ack", GATEWAYS));

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    private List<String> apiEndpoints() {
        List<String> endpoints = new ArrayList<>();
        mappings.getHandlerMethods().keySet().forEach(info -> {
            for (String pattern : info.getPatternValues()) {
                if (pattern.startsWith("/api/")) {
                    info.getMethodsCondition().getMethods()
                            .forEach(method -> endpoints.add(method.name() + " " + pattern));
                }
            }
        });
        return endpoints;
    }

    @Test
    void everyMappedEndpointHasADecidedRule() {
        List<String> endpoints = apiEndpoints();
        assertThat(endpoints).as("the API maps endpoints").hasSizeGreaterThan(20);
        assertThat(EXPECTED.keySet()).containsAll(endpoints);
        assertThat(endpoints).containsAll(EXPECTED.keySet());
    }

    @Test
    void anonymousAndUnderPrivilegedCallersAreRefused() {
        Map<Role, HttpApi> callers = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            callers.put(role, userWith(role.name()));
        }
        Map<String, String> failures = new TreeMap<>();
        for (String endpoint : apiEndpoints()) {
            String method = endpoint.substring(0, endpoint.indexOf(' '));
            String path = concrete(endpoint.substring(endpoint.indexOf(' ') + 1));

            int anonymous = anonymous().method(method, path).status();
            if (anonymous != 401) {
                failures.put(endpoint + " anonymous", "got " + anonymous);
            }
            int badToken = anonymous().as("qreg_not-a-real-token").method(method, path).status();
            if (badToken != 401) {
                failures.put(endpoint + " unknown token", "got " + badToken);
            }
            for (Role role : Role.values()) {
                var reply = callers.get(role).method(method, path);
                boolean allowed = EXPECTED.get(endpoint).contains(role);
                if (!allowed && reply.status() != 403) {
                    failures.put(endpoint + " as " + role, "expected 403, got " + reply.status());
                } else if (!allowed && !reply.isProblem()) {
                    failures.put(endpoint + " as " + role, "403 without problem+json");
                } else if (allowed && (reply.status() == 401 || reply.status() == 403)) {
                    failures.put(endpoint + " as " + role, "expected access, got " + reply.status() + " " + reply.body());
                }
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void revokedAndExpiredTokensAreRefused() {
        HttpApi viewer = userWith("VIEWER");
        assertThat(viewer.get("/api/v1/me").status()).isEqualTo(200);
        var mine = viewer.get("/api/v1/tokens").json();
        String tokenId = mine.get(0).get("id").asString();
        assertThat(viewer.delete("/api/v1/tokens/" + tokenId).status()).isEqualTo(200);
        var refused = viewer.get("/api/v1/me");
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.json().get("detail").asString()).contains("unknown, expired or revoked");

        var expired = admin().post("/api/v1/tokens", Map.of("name", "past", "expiresAt", "2020-01-01T00:00:00Z"));
        assertThat(expired.status()).isEqualTo(400);
        assertThat(expired.json().get("field").asString()).isEqualTo("expiresAt");
    }

    @Test
    void tokenSecretIsShownOnceAndStoredOnlyAsAHash() {
        var issued = admin().post("/api/v1/tokens", Map.of("name", "ci"));
        assertThat(issued.status()).isEqualTo(201);
        String secret = issued.json().get("token").asString();
        assertThat(secret).startsWith("qreg_").hasSizeGreaterThan(40);
        String id = issued.json().get("id").asString();
        String stored = jdbc.queryForObject("select token_hash from api_token where id = ?::uuid", String.class, id);
        assertThat(stored).isNotEqualTo(secret).hasSize(64);
        assertThat(admin().get("/api/v1/tokens").body()).doesNotContain(secret);
    }

    @Test
    void onlyAnAdminCreatesTokensForOthersAndMachineAccountsHaveNoPassword() {
        HttpApi engineer = userWith("ENGINEER");
        var forOther = engineer.post("/api/v1/tokens", Map.of("name", "x", "username", "admin"));
        assertThat(forOther.status()).isEqualTo(403);

        var worker = admin().post("/api/v1/users", Map.of("username", unique("worker"), "roles", List.of("WORKER"),
                "password", "a-long-enough-password"));
        assertThat(worker.status()).isEqualTo(400);
        assertThat(worker.json().get("field").asString()).isEqualTo("password");
    }

    @Test
    void aPersonWithAPasswordMintsTheirFirstTokenWithBasicAuth() {
        String username = unique("basic");
        admin().post("/api/v1/users", Map.of("username", username, "password", "correct-horse-battery",
                "roles", List.of("ENGINEER")));
        String good = java.util.Base64.getEncoder().encodeToString((username + ":correct-horse-battery").getBytes());
        String bad = java.util.Base64.getEncoder().encodeToString((username + ":wrong-password!").getBytes());

        var minted = anonymous().send(anonymous().request("/api/v1/tokens").header("Authorization", "Basic " + good)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"laptop\"}")));
        assertThat(minted.status()).as(minted.body()).isEqualTo(201);
        assertThat(anonymous().as(minted.json().get("token").asString()).get("/api/v1/me").json().get("username")
                .asString()).isEqualTo(username);

        var refused = anonymous().send(anonymous().request("/api/v1/me").header("Authorization", "Basic " + bad).GET());
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.isProblem()).isTrue();
    }

    private static String concrete(String pattern) {
        return pattern.replace("{id}", "00000000-0000-0000-0000-000000000000")
                .replace("{version}", "1").replaceAll("\\{[^}]+}", "placeholder");
    }
}
