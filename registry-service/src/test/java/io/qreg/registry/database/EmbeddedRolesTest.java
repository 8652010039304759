package io.qreg.registry.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cluster from before the roles (trusting local connections, tables owned by the superuser) is secured. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EmbeddedRolesTest {

    @TempDir
    Path temp;

    @AfterEach
    void killLeftovers() {
        PostgresTestProcesses.killAllUsing(temp);
    }

    @Test
    void aClusterThatTrustedLocalConnectionsGetsPasswordsAndItsTablesGoToTheOwner() throws Exception {
        Path dataDirectory = temp.resolve("postgres");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            // Make it look like a cluster an older registry left: trust everywhere, the superuser's tables.
            try (Connection su = connect(database.superuserConnection()); Statement sql = su.createStatement()) {
                sql.execute("create table legacy (note text)");
                sql.execute("create sequence legacy_seq");
            }
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
        }

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            assertThat(Files.readString(dataDirectory.resolve("pg_hba.conf"))).isEqualTo(EmbeddedRoles.HBA);
            assertThat(passwordless(database.connection().jdbcUrl())).as("no trust left").isFalse();
            try (Connection owner = connect(database.migrationConnection())) {
                assertThat(query(owner, "select tableowner from pg_tables where tablename = 'legacy'"))
                        .isEqualTo(EmbeddedDatabase.OWNER);
                assertThat(query(owner, "select pg_get_userbyid(relowner) from pg_class where relname = 'legacy_seq'"))
                        .isEqualTo(EmbeddedDatabase.OWNER);
            }
            try (Connection app = connect(database.connection())) {
                assertThat(query(app, "select current_user")).isEqualTo(EmbeddedDatabase.APP);
            }
        }
    }

    private static boolean passwordless(String url) {
        try (Connection ignored = DriverManager.getConnection(url, EmbeddedDatabase.SUPERUSER, null)) {
            return true;
        } catch (SQLException refused) {
            return false;
        }
    }

    private static Connection connect(DatabaseConnection c) throws SQLException {
        return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }
}
