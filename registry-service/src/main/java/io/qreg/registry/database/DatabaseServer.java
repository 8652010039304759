package io.qreg.registry.database;

/**
 * The PostgreSQL server the registry uses: one it runs itself, or one it was pointed at.
 * Closing it stops the server only if the registry started it.
 */
public sealed interface DatabaseServer extends AutoCloseable permits EmbeddedDatabase, ExternalDatabase {

    /** How to connect to the registry's database on this server. */
    DatabaseConnection connection();

    @Override
    void close();
}
