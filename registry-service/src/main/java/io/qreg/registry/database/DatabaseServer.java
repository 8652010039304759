package io.qreg.registry.database;

/**
 * The PostgreSQL server the registry uses: one it runs itself, or one it was pointed at.
 * Closing it stops the server only if the registry started it.
 */
public sealed interface DatabaseServer extends AutoCloseable permits EmbeddedDatabase, ExternalDatabase {

    /** How the registry connects to its database on this server. */
    DatabaseConnection connection();

    /** How the migrations connect: as the schema's owner, which the registry's own role need not be. */
    default DatabaseConnection migrationConnection() {
        return connection();
    }

    @Override
    void close();
}
