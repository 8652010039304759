package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * The access matrix as a test (issue 11 item 8): reads /v3/api-docs and calls every operation with no token
 * and with a token of every role, against ONE table of who may call what. Anonymous callers get 401, roles
 * without the right 403, roles with it get past security. An operation missing from the table, or a row
 * naming no operation, fails the test, so no endpoint ships without a decision.
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
    private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "patch");

    /**
     * THE access table: who may call each operation of /v3/api-docs, as "METHOD /path/{variable}" (the
     * document's spelling). A new endpoint fails the tests until it has a row here.
     */
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
            Map.entry("GET /api/v1/audit/public-key", HUMANS),
            Map.entry("GET /api/v1/audit/checkpoints", HUMANS),
            Map.entry("GET /api/v1/audit/events/{seq}/proof", HUMANS),
            Map.entry("GET /api/v1/audit/consistency", HUMANS),
            Map.entry("GET /api/v1/models", HUMANS),
            Map.entry("POST /api/v1/models", BUILDERS),
            Map.entry("GET /api/v1/models/{name}", HUMANS),
            Map.entry("GET /api/v1/models/{name}/checkpoints", HUMANS),
            // Lifecycle (issue 14): engineers move aliases, tag, archive; every human reads.
            Map.entry("GET /api/v1/models/{name}/aliases", HUMANS),
            Map.entry("GET /api/v1/models/{name}/aliases/{alias}", HUMANS),
            Map.entry("PUT /api/v1/models/{name}/aliases/{alias}", BUILDERS),
            Map.entry("DELETE /api/v1/models/{name}/aliases/{alias}", BUILDERS),
            Map.entry("PUT /api/v1/models/{name}/tags/{key}", BUILDERS),
            Map.entry("DELETE /api/v1/models/{name}/tags/{key}", BUILDERS),
            Map.entry("PUT /api/v1/checkpoints/{id}/tags/{key}", BUILDERS),
            Map.entry("DELETE /api/v1/checkpoints/{id}/tags/{key}", BUILDERS),
            Map.entry("PUT /api/v1/variants/{id}/tags/{key}", BUILDERS),
            Map.entry("DELETE /api/v1/variants/{id}/tags/{key}", BUILDERS),
            Map.entry("POST /api/v1/models/{name}/archive", BUILDERS),
            Map.entry("POST /api/v1/models/{name}/unarchive", BUILDERS),
            Map.entry("POST /api/v1/variants/{id}/archive", BUILDERS),
            Map.entry("POST /api/v1/variants/{id}/unarchive", BUILDERS),
            Map.entry("POST /api/v1/deployments/{name}/archive", BUILDERS),
            Map.entry("POST /api/v1/deployments/{name}/unarchive", BUILDERS),
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
            Map.entry("GET /api/v1/variants/{id}/bundle", HUMANS),
            Map.entry("POST /api/v1/variants/{id}/reproduce", BUILDERS),
            Map.entry("GET /api/v1/variants/{id}/reproductions", HUMANS),
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

    /** Every API operation the OpenAPI document publishes, as "METHOD /path/{variable}". */
    private List<String> documentedOperations() {
        HttpApi.Reply docs = anonymous().get("/v3/api-docs");
        assertThat(docs.status()).as(docs.body()).isEqualTo(200);
        List<String> operations = new ArrayList<>();
        docs.json().get("paths").properties().forEach(path -> {
            if (path.getKey().startsWith("/api/")) {
                path.getValue().propertyNames().forEach(method -> {
                    if (HTTP_METHODS.contains(method)) {
                        operations.add(method.toUpperCase(Locale.ROOT) + " " + path.getKey());
                    }
                });
            }
        });
        return operations;
    }

    /** The same, from what Spring MVC actually maps: an endpoint hidden from the document must not hide here. */
    private Set<String> mappedOperations() {
        Set<String> endpoints = new TreeSet<>();
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
    void everyDocumentedOperationHasARowAndEveryRowAnOperation() {
        List<String> documented = documentedOperations();
        assertThat(documented).as("the OpenAPI document lists the API").hasSizeGreaterThan(20);
        assertThat(new TreeSet<>(documented)).as("every operation Spring MVC maps is in /v3/api-docs")
                .isEqualTo(mappedOperations());
        Set<String> withoutRow = new TreeSet<>(documented);
        withoutRow.removeAll(EXPECTED.keySet());
        assertThat(withoutRow).as("operations in /v3/api-docs without a row in AuthorizationMatrixIT.EXPECTED;"
                + " decide who may call them and add the row").isEmpty();
        Set<String> withoutOperation = new TreeSet<>(EXPECTED.keySet());
        withoutOperation.removeAll(documented);
        assertThat(withoutOperation).as("rows in AuthorizationMatrixIT.EXPECTED naming no operation in"
                + " /v3/api-docs").isEmpty();
    }

    /**
     * Every documented operation, called with no token, an unknown token and a token of each role: the
     * authorisation outcome must be the table's (401 without a valid token; 403 problem+json for a role not
     * in the row; anything but 401/403 for one in it). Bodies are empty, so calls that pass end in 4xx.
     */
    @Test
    void everyOperationAnswersEachRoleAndNoTokenAsTheTableSays() {
        Map<Role, HttpApi> callers = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            callers.put(role, userWith(role.name()));
        }
        Map<String, String> failures = new TreeMap<>();
        for (String operation : documentedOperations()) {
            Set<Role> allowed = EXPECTED.get(operation);
            if (allowed == null) {
                failures.put(operation, "no row in EXPECTED");
                continue;
            }
            String method = operation.substring(0, operation.indexOf(' '));
            String path = concrete(operation.substring(operation.indexOf(' ') + 1));

            int anonymous = anonymous().method(method, path).status();
            if (anonymous != 401) {
                failures.put(operation + " without a token", "expected 401, got " + anonymous);
            }
            int badToken = anonymous().as("qreg_not-a-real-token").method(method, path).status();
            if (badToken != 401) {
                failures.put(operation + " with an unknown token", "expected 401, got " + badToken);
            }
            for (Role role : Role.values()) {
                var reply = callers.get(role).method(method, path);
                if (!allowed.contains(role) && reply.status() != 403) {
                    failures.put(operation + " as " + role, "expected 403, got " + reply.status());
                } else if (!allowed.contains(role) && !reply.isProblem()) {
                    failures.put(operation + " as " + role, "403 without problem+json");
                } else if (allowed.contains(role) && (reply.status() == 401 || reply.status() == 403)) {
                    failures.put(operation + " as " + role, "expected access, got " + reply.status() + " "
                            + reply.body());
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
