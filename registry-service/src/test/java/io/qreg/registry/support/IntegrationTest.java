package io.qreg.registry.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import io.qreg.registry.database.DatabaseConnection;
import io.qreg.registry.database.DatabaseServer;
import io.qreg.registry.database.EmbeddedDatabase;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole registry on a real port over the embedded PostgreSQL, one instance shared by every
 * test class (Spring caches the context), with a fresh data directory per test run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    public static final String ADMIN_TOKEN = "qreg_test-admin-token-0123456789";
    public static final long UPLOAD_LIMIT = 48L * 1024 * 1024;
    /** The inflated-size cap for datasets, small so a test can pass it without gigabytes. */
    public static final long DATASET_LIMIT = 8L * 1024 * 1024;
    protected static final Path DATA_DIR = Path.of("target", "it-data", UUID.randomUUID().toString()).toAbsolutePath();

    @LocalServerPort
    protected int port;

    /** The registry's own database role: what the application itself may do. */
    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    private DatabaseServer database;

    /**
     * The embedded cluster's superuser, for tests that play whoever holds the database server (an
     * insider with its password): everything the registry's own role may not do.
     */
    protected JdbcTemplate superuser() {
        if (superuser == null) {
            DatabaseConnection su = ((EmbeddedDatabase) database).superuserConnection();
            superuser = new JdbcTemplate(new SingleConnectionDataSource(su.jdbcUrl(), su.user(), su.password(),
                    true));
        }
        return superuser;
    }

    private JdbcTemplate superuser;

    /** The database server the registry runs on. */
    protected DatabaseServer getDatabase() {
        return database;
    }

    @DynamicPropertySource
    static void registryProperties(DynamicPropertyRegistry registry) {
        registry.add("qreg.data-dir", DATA_DIR::toString);
        registry.add("qreg.db.url", () -> "");
        registry.add("qreg.bootstrap-admin-token", () -> ADMIN_TOKEN);
        registry.add("qreg.upload.max-bytes", () -> UPLOAD_LIMIT);
        registry.add("qreg.embedded-worker", () -> false);
        // Webhook retries within a test's patience: three attempts, tenths of a second apart.
        registry.add("qreg.webhooks.retry-delays", () -> "100ms,200ms");
        registry.add("qreg.webhooks.max-attempts", () -> 3);
        registry.add("qreg.webhooks.request-timeout", () -> "3s");
        registry.add("qreg.webhooks.poll-interval-millis", () -> 200);
        // Test receivers listen on 127.0.0.1; PrivateWebhookTargetsIT runs a registry without this switch.
        registry.add("qreg.webhooks.allow-private", () -> true);
        registry.add("qreg.datasets.max-bytes", () -> DATASET_LIMIT);
        // The xDS endpoint on a free port (XdsIT reads it from the XdsServer bean).
        registry.add("qreg.xds.port", () -> 0);
    }

    protected HttpApi admin() {
        return new HttpApi("http://localhost:" + port, ADMIN_TOKEN);
    }

    protected HttpApi anonymous() {
        return new HttpApi("http://localhost:" + port, null);
    }

    /** A new account with the given roles and an API client holding its token. */
    protected HttpApi userWith(String... roles) {
        String username = "u-" + UUID.randomUUID().toString().substring(0, 8);
        var created = admin().post("/api/v1/users",
                java.util.Map.of("username", username, "roles", List.of(roles)));
        if (created.status() != 201) {
            throw new IllegalStateException("cannot create user: " + created.body());
        }
        var token = admin().post("/api/v1/tokens", java.util.Map.of("name", "test", "username", username));
        return admin().as(token.json().get("token").asString());
    }

    protected static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Every blob file in the content-addressed store. */
    protected static List<Path> storedBlobs() {
        Path root = DATA_DIR.resolve("artifacts").resolve("sha256");
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static List<Path> stagingFiles() {
        try (Stream<Path> files = Files.list(DATA_DIR.resolve("artifacts").resolve("staging"))) {
            return files.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
