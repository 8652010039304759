package io.qreg.registry.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry keeps an enabled ADMIN: in a registry of its own (the shared test registry has many
 * ADMINs), the last one can be neither demoted nor disabled, by itself or anyone else.
 */
class LastAdminIT {

    @TempDir
    Path dir;

    @Test
    void theLastEnabledAdminCannotBeDemotedOrDisabled() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start(dir.resolve("qreg-data"), "384m", Map.of())) {
            HttpApi admin = registry.api(IntegrationTest.ADMIN_TOKEN);
            var demoteSelf = admin.patch("/api/v1/users/admin", Map.of("roles", List.of("VIEWER")));
            assertThat(demoteSelf.status()).isEqualTo(409);
            assertThat(demoteSelf.isProblem()).isTrue();
            assertThat(demoteSelf.json().get("detail").asString()).contains("last enabled ADMIN");

            assertThat(admin.post("/api/v1/users", Map.of("username", "second", "roles", List.of("ADMIN"),
                    "password", "second-admin-password")).status()).isEqualTo(201);
            // Minted with its own password: a token the admin's token created would die with the admin's.
            String basic = java.util.Base64.getEncoder().encodeToString("second:second-admin-password".getBytes());
            var minted = admin.send(registry.api(null).request("/api/v1/tokens").header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"name\":\"t\"}")));
            HttpApi second = admin.as(minted.json().get("token").asString());
            // With two ADMINs one may go; then the other is the last.
            assertThat(second.patch("/api/v1/users/admin", Map.of("enabled", false)).status()).isEqualTo(200);
            var demoteLast = second.patch("/api/v1/users/second", Map.of("roles", List.of("ENGINEER")));
            assertThat(demoteLast.status()).isEqualTo(409);
            assertThat(demoteLast.json().get("detail").asString()).contains("last enabled ADMIN");

            var users = second.get("/api/v1/users").json();
            for (var user : users) {
                if (user.get("username").asString().equals("second")) {
                    assertThat(user.get("roles").toString()).contains("ADMIN");
                    assertThat(user.get("enabled").asBoolean()).isTrue();
                }
            }
        }
    }
}
