package io.qreg.registry.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import io.qreg.registry.support.HttpApi;
import io.qreg.registry.support.IntegrationTest;
import io.qreg.registry.support.RegistryProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An external PostgreSQL set up as docs/security.md says (an owner role and an application role that
 * owns nothing): the registry migrates as {@code QREG_DB_MIGRATION_USER}, runs as {@code QREG_DB_USER},
 * and the migrations leave that role unable to rewrite the audit log. Run as the owner alone, the
 * registry warns at start that its role could.
 */
class ExternalDatabaseRolesIT {

    private static final String WARNING = "can rewrite the audit log";

    @TempDir
    Path dir;

    @Test
    void theRegistryMigratesAsTheOwnerRunsAsAnUnprivilegedRoleAndWarnsWhenItIsNot() throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg"))
                .setCleanDataDirectory(true).start()) {
            String server = "jdbc:postgresql://localhost:" + postgres.getPort() + "/";
            try (Connection su = DriverManager.getConnection(server + "postgres", "postgres", null);
                 Statement sql = su.createStatement()) {
                sql.execute("create role qreg_owner login password 'owner-secret'");
                sql.execute("create role qreg_app login password 'app-secret'");
                sql.execute("create database qreg owner qreg_owner");
            }
            try (Connection su = DriverManager.getConnection(server + "qreg", "postgres", null);
                 Statement sql = su.createStatement()) {
                sql.execute("alter schema public owner to qreg_owner");
                sql.execute("revoke create on schema public from public");
                sql.execute("grant connect, temporary on database qreg to qreg_app");
                sql.execute("grant usage on schema public to qreg_app");
            }
            Map<String, String> roles = Map.of("QREG_DB_URL", server + "qreg",
                    "QREG_DB_USER", "qreg_app", "QREG_DB_PASSWORD", "app-secret",
                    "QREG_DB_MIGRATION_USER", "qreg_owner", "QREG_DB_MIGRATION_PASSWORD", "owner-secret");
            try (RegistryProcess registry = RegistryProcess.start(dir.resolve("app"), "384m", roles)) {
                HttpApi admin = registry.api(IntegrationTest.ADMIN_TOKEN);
                assertThat(admin.post("/api/v1/models", Map.of("name", "external-roles", "task", "other")).status())
                        .isEqualTo(201);
                assertThat(admin.get("/api/v1/audit/verify").json().get("valid").asBoolean()).isTrue();
                assertThat(registry.fullLog()).doesNotContain(WARNING);
            }
            try (Connection su = DriverManager.getConnection(server + "qreg", "postgres", null)) {
                assertThat(query(su, "select string_agg(distinct installed_by, ',') from flyway_schema_history"))
                        .as("the migrations ran as the owner").isEqualTo("qreg_owner");
                assertThat(query(su, "select count(*) from pg_tables where schemaname = 'public'"
                        + " and tableowner <> 'qreg_owner'")).isEqualTo("0");
                assertThat(query(su, "select has_table_privilege('qreg_app', 'audit_event', 'INSERT')")).isEqualTo("t");
                for (String privilege : new String[] {"UPDATE", "DELETE", "TRUNCATE"}) {
                    assertThat(query(su, "select has_table_privilege('qreg_app', 'audit_event', '" + privilege + "')"))
                            .as(privilege).isEqualTo("f");
                }
                assertThat(query(su, "select has_table_privilege('qreg_app', 'model', 'UPDATE')")).isEqualTo("t");
            }

            Map<String, String> ownerAlone = Map.of("QREG_DB_URL", server + "qreg",
                    "QREG_DB_USER", "qreg_owner", "QREG_DB_PASSWORD", "owner-secret");
            try (RegistryProcess registry = RegistryProcess.start(dir.resolve("owner"), "384m", ownerAlone)) {
                assertThat(registry.fullLog()).contains("The registry's database role qreg_owner " + WARNING,
                        "audit_event (owner, UPDATE, DELETE)", "QREG_DB_MIGRATION_USER");
            }
        }
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
