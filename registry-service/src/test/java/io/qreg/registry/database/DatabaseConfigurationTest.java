package io.qreg.registry.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

/** The DataSource the registry gets, with and without {@code qreg.db.url}. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DatabaseConfigurationTest {

    @TempDir
    Path temp;

    private final ApplicationContextRunner contextRunner =
            new ApplicationContextRunner().withUserConfiguration(DatabaseConfiguration.class);

    @AfterEach
    void killLeftovers() {
        PostgresTestProcesses.killAllUsing(temp);
    }

    @Test
    void dataWrittenToEmbeddedDatabaseSurvivesCleanStopAndRestart() {
        Path dataDirectory = temp.resolve("postgres");
        AtomicLong firstClusterId = new AtomicLong();
        AtomicLong firstPostmaster = new AtomicLong();

        contextRunner.withPropertyValues("qreg.data-dir=" + temp).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(DatabaseServer.class)).isInstanceOf(EmbeddedDatabase.class);
            assertThat(new JdbcTemplate(context.getBean(DataSource.class)).queryForObject("SELECT current_user",
                    String.class)).as("the registry connects as its own role").isEqualTo(EmbeddedDatabase.APP);
            JdbcTemplate jdbc = asOwner(context.getBean(DatabaseServer.class));
            jdbc.execute("CREATE TABLE model (name text PRIMARY KEY)");
            jdbc.update("INSERT INTO model VALUES (?)", "llama-q4");
            assertThat(jdbc.queryForObject("SELECT current_database()", String.class)).isEqualTo("qreg");
            assertThat(jdbc.queryForObject("SELECT current_setting('listen_addresses')", String.class))
                    .isEqualTo("127.0.0.1");
            assertThat(jdbc.queryForObject("SELECT current_setting('fsync')", String.class)).isEqualTo("on");
            firstClusterId.set(clusterId(jdbc));
            firstPostmaster.set(Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0)));
        });

        // The context closed the server cleanly: no process left, no pid file, hence no recovery next time.
        assertThat(OrphanedPostmaster.isRunning(firstPostmaster.get())).isFalse();
        assertThat(dataDirectory.resolve(OrphanedPostmaster.PID_FILE)).doesNotExist();

        contextRunner.withPropertyValues("qreg.data-dir=" + temp).run(context -> {
            assertThat(context).hasNotFailed();
            JdbcTemplate jdbc = asOwner(context.getBean(DatabaseServer.class));
            assertThat(jdbc.queryForList("SELECT name FROM model", String.class)).containsExactly("llama-q4");
            // Same cluster, not a re-initialised one that happens to be empty or similar.
            assertThat(clusterId(jdbc)).isEqualTo(firstClusterId.get());
        });
    }

    @Test
    void withUrlTheGivenServerIsUsedAndNoneIsStarted() throws IOException {
        Path registryDataDir = temp.resolve("registry");
        Files.createDirectories(registryDataDir);
        try (EmbeddedDatabase external = EmbeddedDatabase.start(temp.resolve("external"))) {
            contextRunner.withPropertyValues(
                    "qreg.data-dir=" + registryDataDir,
                    "qreg.db.url=" + external.connection().jdbcUrl(),
                    "qreg.db.user=" + external.connection().user(),
                    "qreg.db.password=" + external.connection().password(),
                    "qreg.db.migration-user=" + external.migrationConnection().user(),
                    "qreg.db.migration-password=" + external.migrationConnection().password()).run(context -> {
                assertThat(context).hasNotFailed();
                assertThat(context.getBean(DatabaseServer.class)).isInstanceOf(ExternalDatabase.class);
                JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
                assertThat(jdbc.queryForObject("SELECT current_setting('port')::int", Integer.class))
                        .isEqualTo(external.port());
                assertThat(jdbc.queryForObject("SELECT current_user", String.class))
                        .isEqualTo(external.connection().user());
            });
            assertThat(registryDataDir).isEmptyDirectory();
            // Closing the context must not have stopped a server it does not own.
            assertThat(external.dataDirectory().resolve(OrphanedPostmaster.PID_FILE)).exists();
        }
    }

    @Test
    void embeddedDataDirectoryHoldingSomethingElseIsRefusedRatherThanInitialised() throws IOException {
        Path dataDirectory = temp.resolve("postgres");
        Files.createDirectories(dataDirectory);
        Files.writeString(dataDirectory.resolve("notes.txt"), "not a database");

        contextRunner.withPropertyValues("qreg.data-dir=" + temp).run(context ->
                assertThat(context).getFailure().rootCause()
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("neither empty nor a PostgreSQL cluster"));
        assertThat(dataDirectory).isDirectoryContaining(path -> path.endsWith("notes.txt"));
        assertThat(dataDirectory.resolve("PG_VERSION")).doesNotExist();
    }

    @Test
    void passwordInUrlIsMaskedForLogs() {
        DatabaseConnection connection = new DatabaseConnection(
                "jdbc:postgresql://db:5432/qreg?user=qreg&password=s3cret&ssl=true", "qreg", "other");

        assertThat(connection.redactedUrl()).isEqualTo("jdbc:postgresql://db:5432/qreg?user=qreg&password=***&ssl=true");
        assertThat(connection.toString()).doesNotContain("s3cret").doesNotContain("other");
    }

    private static long clusterId(JdbcTemplate jdbc) {
        return jdbc.queryForObject("SELECT system_identifier FROM pg_control_system()", Long.class);
    }

    /** The schema's owner: the registry's own role may not create tables. */
    private static JdbcTemplate asOwner(DatabaseServer server) {
        DatabaseConnection owner = server.migrationConnection();
        return new JdbcTemplate(new org.springframework.jdbc.datasource.SingleConnectionDataSource(owner.jdbcUrl(),
                owner.user(), owner.password(), true));
    }
}
