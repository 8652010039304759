package io.qreg.registry.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting the embedded database after a registry died without stopping it. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OrphanedPostmasterTest {

    @TempDir
    Path temp;

    private final List<Process> spawned = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        spawned.forEach(Process::destroyForcibly);
        PostgresTestProcesses.killAllUsing(temp);
    }

    @Test
    void postmasterOrphanedBySigkilledRegistryIsStoppedAndCommittedDataKept() throws Exception {
        Path dataDirectory = temp.resolve("postgres");
        Process registry = startKilledRegistryChild(dataDirectory);

        registry.destroyForcibly();
        assertThat(registry.waitFor(10, TimeUnit.SECONDS)).isTrue();

        Path pidFile = dataDirectory.resolve(OrphanedPostmaster.PID_FILE);
        assertThat(pidFile).exists();
        long orphanPid = readPidFile(dataDirectory).pid();
        assertThat(OrphanedPostmaster.isRunning(orphanPid)).as("orphaned postmaster still running").isTrue();
        assertThat(OrphanedPostmaster.isPostmasterOf(ProcessHandle.of(orphanPid).orElseThrow(), dataDirectory))
                .isTrue();

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            assertThat(OrphanedPostmaster.isRunning(orphanPid)).as("orphaned postmaster still running").isFalse();
            assertThat(readPidFile(dataDirectory).pid()).isNotEqualTo(orphanPid);
            assertThat(queryString(database, "SELECT note FROM survivor")).isEqualTo(KilledRegistryChild.ROW);
        }
        assertThat(pidFile).doesNotExist();
    }

    @Test
    void recoverStopsOrphanAndReportsIt() throws Exception {
        Path dataDirectory = temp.resolve("postgres");
        startKilledRegistryChild(dataDirectory).destroyForcibly().waitFor();
        long orphanPid = readPidFile(dataDirectory).pid();

        assertThat(OrphanedPostmaster.recover(dataDirectory)).isEqualTo(OrphanedPostmaster.Outcome.ORPHAN_STOPPED);

        assertThat(OrphanedPostmaster.isRunning(orphanPid)).isFalse();
        // pg_ctl stop -m fast succeeded: a clean shutdown removes the pid file itself.
        assertThat(dataDirectory.resolve(OrphanedPostmaster.PID_FILE)).doesNotExist();
        assertThat(OrphanedPostmaster.recover(dataDirectory)).isEqualTo(OrphanedPostmaster.Outcome.NONE);
    }

    @Test
    void pidFileOfVanishedProcessIsLeftToPostgresAndStartSucceeds() throws Exception {
        Path dataDirectory = temp.resolve("postgres");
        EmbeddedDatabase.start(dataDirectory).close();
        Process vanished = new ProcessBuilder("true").start();
        vanished.waitFor();
        writePidFile(dataDirectory, vanished.pid());

        assertThat(OrphanedPostmaster.recover(dataDirectory))
                .isEqualTo(OrphanedPostmaster.Outcome.STALE_PID_FILE_KEPT);
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            assertThat(queryString(database, "SELECT 'up'")).isEqualTo("up");
        }
    }

    @Test
    void pidFileNamingUnrelatedLiveProcessIsDeletedWithoutHarmingThatProcess() throws Exception {
        Path dataDirectory = temp.resolve("postgres");
        EmbeddedDatabase.start(dataDirectory).close();
        // As after a reboot or container restart, when the old postmaster's PID now belongs to someone else.
        Process unrelated = new ProcessBuilder("sleep", "60").start();
        spawned.add(unrelated);
        writePidFile(dataDirectory, unrelated.pid());

        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            assertThat(queryString(database, "SELECT 'up'")).isEqualTo("up");
        }
        assertThat(unrelated.isAlive()).isTrue();
    }

    @Test
    void postmasterOfLiveOwnerIsNeverTouched() {
        Path dataDirectory = temp.resolve("postgres");
        try (EmbeddedDatabase database = EmbeddedDatabase.start(dataDirectory)) {
            long pid = readPidFile(dataDirectory).pid();

            assertThatThrownBy(() -> OrphanedPostmaster.recover(dataDirectory))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("in use by another running process");

            assertThat(OrphanedPostmaster.isRunning(pid)).isTrue();
            assertThat(queryString(database, "SELECT 'still up'")).isEqualTo("still up");
        }
    }

    @Test
    void noPidFileMeansNothingToDo() throws IOException {
        Files.createDirectories(temp.resolve("postgres"));

        assertThat(OrphanedPostmaster.recover(temp.resolve("postgres"))).isEqualTo(OrphanedPostmaster.Outcome.NONE);
        assertThat(temp.resolve("postgres")).isEmptyDirectory();
    }

    @Test
    void pidFileLinesGivePidDataDirectoryAndPort() {
        List<String> lines = List.of("4242", "/var/qreg/postgres", "1767225600", "54321", "", "127.0.0.1",
                "  1234567     32768", "ready");

        assertThat(OrphanedPostmaster.PidFile.parse(lines))
                .contains(new OrphanedPostmaster.PidFile(4242, "/var/qreg/postgres", 54321));
        assertThat(OrphanedPostmaster.PidFile.parse(List.of("4242"))).contains(
                new OrphanedPostmaster.PidFile(4242, "", 0));
        assertThat(OrphanedPostmaster.PidFile.parse(List.of("garbage"))).isEmpty();
        assertThat(OrphanedPostmaster.PidFile.parse(List.of())).isEmpty();
    }

    private Process startKilledRegistryChild(Path dataDirectory) throws Exception {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"),
                KilledRegistryChild.class.getName(), dataDirectory.toString())
                .redirectErrorStream(true)
                .start();
        spawned.add(child);
        List<String> output = new ArrayList<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        // Keeps draining the child's output so that it never blocks on a full pipe.
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (output) {
                        output.add(line);
                    }
                    if (line.equals(KilledRegistryChild.READY)) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                // The child was killed; nothing more to read.
            }
            ready.completeExceptionally(new IllegalStateException("child exited before " + KilledRegistryChild.READY));
        }, "killed-registry-child-output");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (output) {
                throw new AssertionError("Child registry did not get ready; its output:\n"
                        + String.join("\n", output), e);
            }
        }
        return child;
    }

    private static OrphanedPostmaster.PidFile readPidFile(Path dataDirectory) {
        try {
            return OrphanedPostmaster.PidFile.parse(
                    Files.readAllLines(dataDirectory.resolve(OrphanedPostmaster.PID_FILE))).orElseThrow();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void writePidFile(Path dataDirectory, long pid) throws IOException {
        // Without the shared-memory key line, which would make PostgreSQL probe a made-up segment.
        Files.writeString(dataDirectory.resolve(OrphanedPostmaster.PID_FILE),
                pid + "\n" + dataDirectory.toAbsolutePath() + "\n1767225600\n5432\n\n127.0.0.1\n");
    }

    private static String queryString(EmbeddedDatabase database, String sql) {
        DatabaseConnection connection = database.migrationConnection();
        try (Connection jdbc = DriverManager.getConnection(connection.jdbcUrl(), connection.user(),
                connection.password());
             Statement statement = jdbc.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
