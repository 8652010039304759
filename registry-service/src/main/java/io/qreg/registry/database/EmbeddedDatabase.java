package io.qreg.registry.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by the registry itself on a persistent data directory, so that the registry works with
 * no database configured. The cluster is created on first start and reused (never re-initialised) afterwards; a
 * postmaster orphaned by a crashed registry is cleared away first (see {@link OrphanedPostmaster}).
 *
 * <p>The server listens on 127.0.0.1 only, on a port picked afresh at every start: nothing outside this JVM
 * connects to it, and a remembered port could meanwhile be taken by another program, or by a still-running
 * orphan, whose readiness zonky would then mistake for our server's.
 */
public final class EmbeddedDatabase implements DatabaseServer {

    static final String DATABASE = "qreg";
    static final String SUPERUSER = "postgres";
    /** Owns the schema and runs the migrations. */
    static final String OWNER = "qreg_owner";
    /** The registry's own role: owns nothing, may only read and append the audit tables. */
    static final String APP = "qreg_app";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(60);

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;
    private final DatabaseConnection connection;
    private final DatabaseConnection migrationConnection;
    private final DatabaseConnection superuserConnection;

    private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDirectory, EmbeddedCredentials credentials) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
        String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/" + DATABASE;
        this.connection = new DatabaseConnection(url, APP, credentials.app());
        this.migrationConnection = new DatabaseConnection(url, OWNER, credentials.owner());
        this.superuserConnection = new DatabaseConnection(url, SUPERUSER, credentials.superuser());
    }

    /**
     * Starts PostgreSQL on {@code dataDirectory}, creating the cluster there if the directory is empty or
     * missing, and the {@value #DATABASE} database in it if absent.
     *
     * @throws IllegalStateException if the directory holds something other than a PostgreSQL cluster, or the
     *                               server cannot be started
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        Path directory = dataDirectory.toAbsolutePath().normalize();
        boolean existingCluster = checkIsClusterOrEmpty(directory);
        OrphanedPostmaster.recover(directory);
        log.info("{} embedded PostgreSQL in {}", existingCluster ? "Starting" : "Initialising", directory);
        EmbeddedCredentials credentials = EmbeddedCredentials.forCluster(directory);
        if (!existingCluster) {
            InitdbOutput.install();
        }
        EmbeddedPostgres postgres;
        try {
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(directory)
                    // The default deletes the data directory on close: right for tests, fatal for a registry.
                    .setCleanDataDirectory(false)
                    // Spring's context close stops us after the connection pool; zonky's own JVM shutdown hook
                    // would race it and stop the server under requests still being drained.
                    .setRegisterShutdownHook(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // No Unix socket: TCP on loopback is all we use, and the socket would live in shared /tmp.
                    .setServerConfig("unix_socket_directories", "''")
                    // zonky tunes for throw-away test databases (fsync off via -F, synchronous_commit off);
                    // this one holds the registry's data, so commits must be durable.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setPGStartupWait(STARTUP_TIMEOUT)
                    // zonky's initdb trusts every local connection (-A trust); these options come after
                    // it and win: passwords (SCRAM) from the start, the superuser's from its key file.
                    .setLocaleConfig("auth", "scram-sha-256")
                    .setLocaleConfig("pwfile", credentials.superuserPasswordFile().toString())
                    // zonky checks readiness by connecting as the superuser
                    .setConnectConfig("password", credentials.superuser())
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("Cannot start embedded PostgreSQL on " + directory, e);
        }
        EmbeddedDatabase database = new EmbeddedDatabase(postgres, directory, credentials);
        try {
            EmbeddedRoles.secure(postgres.getPort(), directory, credentials);
        } catch (SQLException | RuntimeException e) {
            database.close();
            throw new IllegalStateException("Cannot set up database " + DATABASE + " and its roles on embedded"
                    + " PostgreSQL", e);
        }
        log.info("Embedded PostgreSQL ready on 127.0.0.1:{} with data in {}", postgres.getPort(), directory);
        return database;
    }

    /** The registry's own role, {@value #APP}. */
    @Override
    public DatabaseConnection connection() {
        return connection;
    }

    /** The schema's owner, {@value #OWNER}, which runs the migrations. */
    @Override
    public DatabaseConnection migrationConnection() {
        return migrationConnection;
    }

    /** The cluster's superuser: for setting the cluster up, and for tests that play an attacker holding it. */
    public DatabaseConnection superuserConnection() {
        return superuserConnection;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public int port() {
        return postgres.getPort();
    }

    /**
     * Writes out what the start left in memory (a new cluster, the migrations) now, while nobody waits, so that a
     * stop soon after the start has little left for its own checkpoint to write.
     */
    public void checkpoint() {
        try (Connection c = DriverManager.getConnection(superuserConnection.jdbcUrl(), superuserConnection.user(),
                superuserConnection.password()); Statement statement = c.createStatement()) {
            statement.execute("CHECKPOINT");
        } catch (SQLException e) {
            log.debug("startup checkpoint skipped: {}", e.getMessage());
        }
    }

    /** Stops the server with a fast shutdown (a checkpoint, no recovery needed next time) and waits for it. */
    @Override
    public void close() {
        Optional<ProcessHandle> postmaster = postmasterProcess();
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot stop embedded PostgreSQL on " + dataDirectory, e);
        }
        // zonky gives pg_ctl five seconds and only logs when that is not enough; wait for the real end so that a
        // restart in this JVM, or the next registry, finds the directory free.
        postmaster.ifPresent(process -> {
            if (OrphanedPostmaster.awaitExit(process, SHUTDOWN_TIMEOUT)) {
                log.info("Embedded PostgreSQL on {} stopped", dataDirectory);
            } else {
                log.warn("Embedded PostgreSQL (PID {}) still running {} after stop; the next start will stop it",
                        process.pid(), SHUTDOWN_TIMEOUT);
            }
        });
    }

    private Optional<ProcessHandle> postmasterProcess() {
        try {
            return OrphanedPostmaster.PidFile
                    .parse(Files.readAllLines(dataDirectory.resolve(OrphanedPostmaster.PID_FILE),
                            StandardCharsets.UTF_8))
                    .flatMap(pidFile -> ProcessHandle.of(pidFile.pid()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns whether {@code directory} already holds a cluster; fails if it holds anything else, because zonky
     * decides to run initdb by the absence of postgresql.conf alone.
     */
    private static boolean checkIsClusterOrEmpty(Path directory) {
        try {
            Files.createDirectories(directory);
            if (Files.exists(directory.resolve("PG_VERSION"))) {
                if (!Files.exists(directory.resolve("postgresql.conf"))) {
                    throw new IllegalStateException(directory + " holds a PostgreSQL cluster without "
                            + "postgresql.conf; restore it rather than let a new cluster be created");
                }
                return true;
            }
            try (Stream<Path> entries = Files.list(directory)) {
                List<Path> found = entries.limit(5).toList();
                if (!found.isEmpty()) {
                    throw new IllegalStateException(directory + " is neither empty nor a PostgreSQL cluster "
                            + "(found " + found + "); refusing to initialise a database there");
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare PostgreSQL data directory " + directory, e);
        }
    }
}
