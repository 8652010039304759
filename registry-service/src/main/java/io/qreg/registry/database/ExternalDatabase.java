package io.qreg.registry.database;

/**
 * A PostgreSQL server run by someone else ({@code qreg.db.url}); the registry only connects to it.
 *
 * @param connection how to reach it
 */
public record ExternalDatabase(DatabaseConnection connection) implements DatabaseServer {

    /** Nothing to stop: the server's lifecycle is not ours. */
    @Override
    public void close() {
    }
}
