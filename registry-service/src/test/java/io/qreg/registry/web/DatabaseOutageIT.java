package io.qreg.registry.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.qreg.registry.support.Eventually;
import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.junit.jupiter.api.Test;

/**
 * A registry on an external PostgreSQL that really goes away: the server is stopped while the registry
 * runs and started again on the same port and data. In between, the API answers 503 problem+json with
 * Retry-After, and the registry's log says once that the database is down and once that it is back.
 */
class DatabaseOutageIT {

    @Test
    void whileTheDatabaseIsDownTheApiAnswers503WithRetryAfterAndTheLogSaysSoOnce() throws Exception {
        Path root = Path.of("target", "it-data", "outage-" + UUID.randomUUID()).toAbsolutePath();
        Path pgData = Files.createDirectories(root.resolve("pg"));
        int pgPort = freePort();
        EmbeddedPostgres postgres = startPostgres(pgData, pgPort);
        try (RegistryProcess registry = RegistryProcess.start(root.resolve("registry"), "384m",
                Map.of("QREG_DB_URL", "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres",
                        "QREG_DB_USER", "postgres"))) {
            HttpApi admin = registry.api(IntegrationTest.ADMIN_TOKEN);
            assertThat(admin.post("/api/v1/models", model("before")).status()).isEqualTo(201);

            postgres.close();
            for (int i = 0; i < 3; i++) {
                String name = "during-" + i;
                HttpApi.Reply refused = admin.post("/api/v1/models", model(name));
                assertThat(refused.status()).as(refused.body()).isEqualTo(503);
                assertThat(refused.isProblem()).isTrue();
                assertThat(refused.header("Retry-After")).isEqualTo("5");
                assertThat(refused.json().get("detail").asString()).contains("cannot reach its database")
                        .doesNotContain("unexpected");
            }
            HttpApi.Reply read = admin.get("/api/v1/models");
            assertThat(read.status()).isEqualTo(503);

            postgres = startPostgres(pgData, pgPort);
            HttpApi.Reply after = Eventually.eventually(Duration.ofSeconds(30),
                    () -> admin.post("/api/v1/models", model("after")), r -> r.status() == 201,
                    "writes resume after the database is back");
            assertThat(after.status()).isEqualTo(201);
            // The refused writes left nothing behind.
            assertThat(admin.get("/api/v1/models/during-0").status()).isEqualTo(404);

            String log = Eventually.eventually(Duration.ofSeconds(10), registry::fullLog,
                    text -> text.contains("The database is reachable again"), "the recovery is logged");
            assertThat(count(log, "The database is unreachable")).as(log).isEqualTo(1);
            assertThat(count(log, "The database is reachable again")).as(log).isEqualTo(1);
            assertThat(count(log, "unexpected failure on")).as(log).isZero();
            assertThat(count(log, "Servlet.service()")).as(log).isZero();
            assertThat(count(log, "Unexpected error occurred in scheduled task")).as(log).isZero();
        } finally {
            postgres.close();
        }
    }

    private static Map<String, Object> model(String name) {
        return Map.of("name", name, "task", "classification", "owner", "ml");
    }

    private static EmbeddedPostgres startPostgres(Path dataDir, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .setServerConfig("unix_socket_directories", "''").start();
    }

    private static int count(String text, String what) {
        Matcher matcher = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (matcher.find()) {
            n++;
        }
        return n;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
