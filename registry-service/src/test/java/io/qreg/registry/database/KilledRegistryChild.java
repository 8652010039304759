package io.qreg.registry.database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Stand-in for a registry that gets killed: run in a child JVM, it starts the embedded database on the data
 * directory given as first argument, commits a row, prints {@value #READY} and waits to be killed.
 */
public final class KilledRegistryChild {

    static final String READY = "READY";
    static final String ROW = "committed before SIGKILL";

    private KilledRegistryChild() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedDatabase database = EmbeddedDatabase.start(Path.of(args[0]));
        DatabaseConnection connection = database.migrationConnection();
        try (Connection jdbc = DriverManager.getConnection(connection.jdbcUrl(), connection.user(),
                connection.password());
             Statement statement = jdbc.createStatement()) {
            statement.execute("CREATE TABLE survivor (note text NOT NULL)");
            statement.execute("INSERT INTO survivor VALUES ('" + ROW + "')");
        }
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
