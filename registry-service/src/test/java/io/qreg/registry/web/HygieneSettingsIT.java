package io.qreg.registry.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.RegistryProcess;

import org.junit.jupiter.api.Test;

/** The web hygiene settings that only an operator's environment sets, each on a registry of its own. */
class HygieneSettingsIT {

    private static Path dataDir() {
        return Path.of("target", "it-data", "hygiene-" + UUID.randomUUID()).toAbsolutePath();
    }

    @Test
    void qregCookieSecureMarksTheSessionCookieSecureEvenOverPlainHttp() throws Exception {
        try (RegistryProcess registry = RegistryProcess.start(dataDir(), "384m",
                Map.of("QREG_COOKIE_SECURE", "true"))) {
            HttpApi anonymous = registry.api(null);
            HttpApi.Reply login = anonymous.get("/login");
            assertThat(login.status()).isEqualTo(200);
            String cookie = login.raw().headers().allValues("Set-Cookie").stream()
                    .filter(c -> c.startsWith("JSESSIONID=")).findFirst().orElseThrow();
            assertThat(cookie).contains("Secure", "SameSite=Lax", "HttpOnly");
        }
    }

    @Test
    void aBootstrapAdminTokenShorterThan32CharactersStopsTheStart() {
        Path dataDir = dataDir();
        assertThatThrownBy(() -> RegistryProcess.start(dataDir, "384m",
                Map.of("QREG_BOOTSTRAP_ADMIN_TOKEN", "qreg_only-31-characters-long-xx")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("QREG_BOOTSTRAP_ADMIN_TOKEN must be at least 32 characters (it has 31)");
    }
}
